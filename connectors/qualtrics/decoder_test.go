package qualtrics

// Qualtrics posts application/x-www-form-urlencoded bodies, and
// connectortest.Run posts every fixture as application/json (and requires
// a form body to be refused with 415). These tests are the equivalent of
// Run for form fixtures (testdata/<event>.form): factory, new, fixtures
// against goldens (deterministic, concurrent), signing, signature vectors
// and hostile bodies.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// formFixture is one delivery body from testdata, as Qualtrics sends it
// (signed with connectortest.Secret by openssl).
type formFixture struct {
	name, path string
	body       []byte
}

func formFixtures(tb testing.TB) []formFixture {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.form"))
	require.NoError(tb, err)
	sort.Strings(paths)
	var out []formFixture
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(tb, err)
		out = append(out, formFixture{name: strings.TrimSuffix(filepath.Base(p), ".form"), path: p, body: b})
	}
	require.NotEmpty(tb, out, "no testdata/*.form fixtures")
	return out
}

// formRequest is connectortest.NewRequest with Qualtrics' content type.
func formRequest(body []byte) connectors.Request {
	req := connectortest.NewRequest(body)
	req.ContentType = ContentType
	return req
}

func newTestDecoder(tb testing.TB, secrets ...string) *decoder {
	tb.Helper()
	return connectortest.New(tb, NewFactory(), secrets...).(*decoder)
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(wd), f.Type)
	assert.True(t, f.Kind.Valid())

	// Zero config (as connectors/all builds it): New works, Verify refuses.
	d, err := f.New(connectors.SourceConfig{Type: Type}, connectors.Settings{Name: Type})
	require.NoError(t, err)
	req := formRequest(formFixtures(t)[0].body)
	require.ErrorIs(t, d.(connectors.Verifier).Verify(req), connectors.ErrSignatureInvalid)
	require.ErrorIs(t, d.(connectors.Signer).Sign(&req, connectortest.ReceivedAt()), connectors.ErrSignatureInvalid)
}

var idPattern = regexp.MustCompile(`^fb_[0-9a-f]{32}$`)

func TestFixtures(t *testing.T) {
	for _, fx := range formFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			d := newTestDecoder(t, connectortest.Secret)
			req := formRequest(fx.body)
			require.NoError(t, d.Verify(req), "the fixture carries an HMAC made with %q", connectortest.Secret)
			recs, err := d.Decode(t.Context(), req)
			require.NoError(t, err)
			require.Len(t, recs, 1)
			connectortest.CheckRecords(t, recs)
			r := recs[0]
			assert.Equal(t, Type, r.Source)
			assert.True(t, r.ReceivedAt.Equal(connectortest.ReceivedAt()))
			assert.Equal(t, time.UTC, r.OccurredAt.Location())
			assert.Regexp(t, idPattern, r.ID)
			assert.NotEmpty(t, r.EventID)

			got, err := json.MarshalIndent(recs, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := strings.TrimSuffix(fx.path, ".form") + ".golden.json"
			if os.Getenv(connectortest.UpdateGoldenEnv) != "" {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden; run %s=1 go test ./connectors/qualtrics/", connectortest.UpdateGoldenEnv)
			assert.Equal(t, string(want), string(got), "records differ from %s", golden)

			again, err := d.Decode(t.Context(), req)
			require.NoError(t, err)
			againJSON, _ := json.MarshalIndent(again, "", "  ")
			assert.Equal(t, string(got), string(append(againJSON, '\n')), "Decode is not deterministic")

			var wg sync.WaitGroup
			results := make([][]byte, 4)
			for i := range results {
				wg.Go(func() {
					rs, err := d.Decode(context.Background(), req)
					if err == nil {
						results[i], _ = json.Marshal(rs)
					}
				})
			}
			wg.Wait()
			first, _ := json.Marshal(recs)
			for i, r := range results {
				assert.Equal(t, string(first), string(r), "concurrent Decode %d differs", i)
			}
		})
	}
}

// withoutHMAC drops the HMAC field, keeping the other bytes.
func withoutHMAC(body []byte) []byte {
	var kept []string
	for _, p := range strings.Split(string(body), "&") {
		if !strings.HasPrefix(p, FieldHMAC+"=") {
			kept = append(kept, p)
		}
	}
	return []byte(strings.Join(kept, "&"))
}

func TestSigning(t *testing.T) {
	for _, fx := range formFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			d := newTestDecoder(t, connectortest.Secret)
			req := formRequest(withoutHMAC(fx.body))
			require.ErrorIs(t, d.Verify(req), connectors.ErrSignatureMissing)
			require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
			assert.Equal(t, string(fx.body), string(req.Body), "Sign appends the same HMAC openssl computed")
			require.NoError(t, d.Verify(req))

			resigned := req
			require.NoError(t, d.Sign(&resigned, connectortest.ReceivedAt()))
			assert.Equal(t, string(req.Body), string(resigned.Body), "signing twice replaces the HMAC")

			t.Run("tampered MSG", func(t *testing.T) {
				vals, err := url.ParseQuery(string(req.Body))
				require.NoError(t, err)
				vals.Set(FieldMSG, strings.Replace(vals.Get(FieldMSG), "Complete", "Completf", 1))
				err = d.Verify(formRequest([]byte(vals.Encode())))
				require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
				assert.Equal(t, connectors.ReasonSignatureInvalid, connectors.Reason(err))
			})
			t.Run("wrong secret", func(t *testing.T) {
				require.ErrorIs(t, newTestDecoder(t, "another-secret").Verify(req), connectors.ErrSignatureInvalid)
			})
			t.Run("rotation", func(t *testing.T) {
				both := newTestDecoder(t, "new-secret", connectortest.Secret)
				require.NoError(t, both.Verify(req))
				byNew := formRequest(withoutHMAC(fx.body))
				require.NoError(t, newTestDecoder(t, "new-secret").Sign(&byNew, connectortest.ReceivedAt()))
				require.NoError(t, both.Verify(byNew))
				require.ErrorIs(t, d.Verify(byNew), connectors.ErrSignatureInvalid)
			})
			t.Run("missing HMAC", func(t *testing.T) {
				err := d.Verify(formRequest(withoutHMAC(fx.body)))
				require.ErrorIs(t, err, connectors.ErrSignatureMissing)
				bare := formRequest(nil)
				bare.Header = nil
				require.ErrorIs(t, d.Verify(bare), connectors.ErrSignatureMissing)
			})
		})
	}
}

func TestSignatureVectors(t *testing.T) {
	// The vectors' bodies are forms; Verify reads the body as a form
	// whatever the request's content type, so the suite's runner works.
	connectortest.RunSignatureVectors(t, NewFactory(), filepath.Join("testdata", "signatures.json"))
}

func TestHostile(t *testing.T) {
	d := newTestDecoder(t, connectortest.Secret)
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	manyFields := strings.Repeat("a=1&", connectors.MaxFormFields+1)
	form := func(topic, msg string) []byte {
		return []byte(url.Values{FieldTopic: {topic}, FieldMSG: {msg}}.Encode())
	}
	const topic = "surveyengine.completedResponse.SV_1"
	cases := []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"json object", []byte(`{}`)},
		{"json null", []byte(`null`)},
		{"garbage", []byte("\x00\x01not a form }{")},
		{"bad escape", []byte("Topic=%zz&MSG=%")},
		{"semicolons", []byte("Topic=a;MSG=b")},
		{"invalid utf-8", []byte("Topic=\xff\xfe&MSG=\xc3\x28")},
		{"too many fields", []byte(manyFields)},
		{"MSG empty", form(topic, "")},
		{"MSG not JSON", form(topic, "Complete")},
		{"MSG null", form(topic, "null")},
		{"MSG array", form(topic, "[]")},
		{"MSG string", form(topic, `"R_1"`)},
		{"MSG truncated", form(topic, `{"ResponseID":`)},
		{"MSG deep arrays", form(topic, deep)},
		{"MSG deep objects", form(topic, strings.Repeat(`{"a":`, 1000)+"1"+strings.Repeat("}", 1000))},
		{"MSG without ids", form(topic, `{}`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := formRequest(c.body)
			require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
			recs, err := d.Decode(t.Context(), req)
			connectortest.RequireSentinel(t, err)
			require.Empty(t, recs)
		})
	}
	body := formFixtures(t)[0].body
	for _, ct := range []string{"application/json", "text/plain", "", "multipart/form-data"} {
		t.Run("content type "+ct, func(t *testing.T) {
			req := formRequest(body)
			req.ContentType = ct
			recs, err := d.Decode(t.Context(), req)
			require.ErrorIs(t, err, connectors.ErrUnsupportedMediaType)
			connectortest.RequireSentinel(t, err)
			require.Empty(t, recs)
		})
	}
}

// delivery builds a form body; edit changes the MSG object first.
func delivery(t *testing.T, topic string, edit func(msg map[string]any)) []byte {
	t.Helper()
	msg := map[string]any{
		"Status": "Complete", "SurveyID": "SV_8dK2aBcDeF", "ResponseID": "R_2xY9qRtUvW",
		"RecipientID": "CGC_55aBcD", "DistributionID": "EMD_77xYz", "CompletedDate": "2025-03-02 10:01:12", "BrandID": "acmefreight",
	}
	if edit != nil {
		edit(msg)
	}
	b, err := json.Marshal(msg)
	require.NoError(t, err)
	return []byte(url.Values{FieldTopic: {topic}, FieldMSG: {string(b)}}.Encode())
}

func decodeOne(t *testing.T, body []byte) (feedback.Record, error) {
	t.Helper()
	d := newTestDecoder(t, connectortest.Secret)
	req := formRequest(body)
	require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
	recs, err := d.Decode(t.Context(), req)
	if err != nil {
		require.Empty(t, recs)
		connectortest.RequireSentinel(t, err)
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	require.NoError(t, recs[0].Validate())
	return recs[0], nil
}

const completedTopicSV = "surveyengine.completedResponse.SV_8dK2aBcDeF"

func TestDecodeCompletedResponse(t *testing.T) {
	rec, err := decodeOne(t, delivery(t, completedTopicSV, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "R_2xY9qRtUvW"), rec.ID)
	assert.Equal(t, "R_2xY9qRtUvW", rec.EventID, "no event id: the response id")
	assert.Equal(t, int64(1), rec.Version)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), rec.OccurredAt, "CompletedDate read as UTC")
	assert.Empty(t, rec.Text)
	assert.Equal(t, map[string]string{
		"survey_id": "SV_8dK2aBcDeF", "response_id": "R_2xY9qRtUvW", "brand_id": "acmefreight",
		"recipient_id": "CGC_55aBcD", "distribution_id": "EMD_77xYz", "status": "complete",
	}, rec.Attributes)
}

func TestDecodeTopics(t *testing.T) {
	tests := []struct {
		topic string
		want  error
	}{
		{completedTopicSV, nil},
		{"acmefreight.surveyengine.completedResponse.SV_8dK2aBcDeF", nil},
		{"surveyengine.completedResponse.*", nil},
		{"surveyengine.completedResponse", nil},
		{"surveyengine.partialResponse.SV_8dK2aBcDeF", connectors.ErrIgnored},
		{"controlpanel.activateSurvey", connectors.ErrIgnored},
		{"acmesurveyengine.completedResponse.SV_8dK2aBcDeF", connectors.ErrIgnored},
		{"surveyengine.completedResponseX.SV_8dK2aBcDeF", connectors.ErrIgnored},
		{"surveyengine.completedResponse.SV_other", connectors.ErrMalformed},
		{"", connectors.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			rec, err := decodeOne(t, delivery(t, tt.topic, nil))
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				assert.ErrorContains(t, err, "qualtrics: decode")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "SV_8dK2aBcDeF", rec.Attributes["survey_id"])
		})
	}
	rec, err := decodeOne(t, delivery(t, completedTopicSV, func(m map[string]any) { delete(m, "SurveyID") }))
	require.NoError(t, err)
	assert.Equal(t, "SV_8dK2aBcDeF", rec.Attributes["survey_id"], "from the topic")
}

func TestDecodeMSG(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(m map[string]any)
		want    error
		message string
		check   func(t *testing.T, r feedback.Record)
	}{
		{name: "RFC 3339 CompletedDate", edit: func(m map[string]any) { m["CompletedDate"] = "2025-03-02T11:01:12+01:00" },
			check: func(t *testing.T, r feedback.Record) {
				assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), r.OccurredAt)
			}},
		{name: "no CompletedDate", edit: func(m map[string]any) { delete(m, "CompletedDate") },
			check: func(t *testing.T, r feedback.Record) { assert.Equal(t, connectortest.ReceivedAt(), r.OccurredAt) }},
		{name: "numeric brand id", edit: func(m map[string]any) { m["BrandID"] = 42 },
			check: func(t *testing.T, r feedback.Record) { assert.Equal(t, "42", r.Attributes["brand_id"]) }},
		{name: "extra keys", edit: func(m map[string]any) { m["ResponseEventContext"] = map[string]any{"a": 1}; m["CreatorID"] = "UR_1" }},
		{name: "bad CompletedDate", edit: func(m map[string]any) { m["CompletedDate"] = "02/03/2025" }, want: connectors.ErrMalformed, message: "MSG.CompletedDate"},
		{name: "zero CompletedDate", edit: func(m map[string]any) { m["CompletedDate"] = "0000-00-00 00:00:00" }, want: connectors.ErrMalformed, message: "MSG.CompletedDate"},
		{name: "no ResponseID", edit: func(m map[string]any) { delete(m, "ResponseID") }, want: connectors.ErrMalformed, message: "MSG.ResponseID missing"},
		{name: "path in ResponseID", edit: func(m map[string]any) { m["ResponseID"] = "R_1/../../users" }, want: connectors.ErrMalformed, message: "MSG.ResponseID"},
		{name: "bad SurveyID", edit: func(m map[string]any) { m["SurveyID"] = "SV 1" }, want: connectors.ErrMalformed, message: "SurveyID"},
		{name: "ResponseID not scalar", edit: func(m map[string]any) { m["ResponseID"] = []any{"R_1"} }, want: connectors.ErrMalformed, message: "MSG"},
		{name: "CompletedDate not a string", edit: func(m map[string]any) { m["CompletedDate"] = 1740909672 }, want: connectors.ErrMalformed, message: "MSG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, delivery(t, completedTopicSV, tt.edit))
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				assert.ErrorContains(t, err, tt.message)
				return
			}
			require.NoError(t, err)
			if tt.check != nil {
				tt.check(t, rec)
			}
		})
	}
}

func TestDecodeRepeatedFields(t *testing.T) {
	body := delivery(t, completedTopicSV, nil)
	for _, extra := range []string{"&Topic=surveyengine.completedResponse.SV_8dK2aBcDeF", "&MSG=%7B%7D"} {
		d := newTestDecoder(t, connectortest.Secret)
		req := formRequest(append(bytes.Clone(body), extra...))
		_, err := d.Decode(t.Context(), req)
		require.ErrorIs(t, err, connectors.ErrMalformed)
		assert.ErrorContains(t, err, "given 2 times")
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     connectors.SourceConfig
		message string
	}{
		{"zero", connectors.SourceConfig{}, ""},
		{"data center", connectors.SourceConfig{API: connectors.EnrichConfig{BaseURL: "https://fra1.qualtrics.com/"}}, ""},
		{"grace", connectors.SourceConfig{Options: map[string]string{OptionNotFoundGrace: "30m"}}, ""},
		{"bad base", connectors.SourceConfig{API: connectors.EnrichConfig{BaseURL: "fra1.qualtrics.com"}}, "sources.nps-emea.api.base_url"},
		{"bad grace", connectors.SourceConfig{Options: map[string]string{OptionNotFoundGrace: "10"}}, "options.not_found_grace"},
		{"unknown option", connectors.SourceConfig{Options: map[string]string{"datacenter": "fra1"}}, "options datacenter: unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Type = Type
			d, err := NewFactory().New(tt.cfg, connectors.Settings{Name: "nps-emea"})
			if tt.message == "" {
				require.NoError(t, err)
				require.NotNil(t, d)
				return
			}
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "qualtrics:")
		})
	}
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type, API: connectors.EnrichConfig{BaseURL: "https://fra1.qualtrics.com/"}}, connectors.Settings{})
	require.NoError(t, err)
	assert.Equal(t, "https://fra1.qualtrics.com", d.(*decoder).baseURL)
}

func TestVerifyIgnoresHeaders(t *testing.T) {
	d := newTestDecoder(t, connectortest.Secret)
	req := formRequest(formFixtures(t)[0].body)
	req.Header = http.Header{"Hmac": {"nonsense"}}
	require.NoError(t, d.Verify(req))
}
