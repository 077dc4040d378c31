package qualtrics

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi/vendorapitest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

const apiToken = "qx-api-token-DO-NOT-LOG"

type fakeAPI = vendorapitest.API

// newFakeAPI serves testdata/api the way the vendor's API answers.
func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	return vendorapitest.New(t, vendorapitest.Config{
		Prefix:       "/API/v3/",
		Authorized:   func(r *http.Request) bool { return r.Header.Get("X-API-TOKEN") == apiToken },
		Unauthorized: `{"meta":{"httpStatus":"401 - Unauthorized","error":{"errorMessage":"Invalid API token.","errorCode":"AUTH_1"}}}`,
		NotFound:     `{"meta":{"httpStatus":"404 - Not Found","error":{"errorMessage":"Response not found.","errorCode":"RCE_1"}}}`,
	})
}

// enricher builds a decoder against api with a fast backoff; edit adjusts
// the config first.
func enricher(t *testing.T, api *fakeAPI, now func() time.Time, obs connectors.CallObserver, edit func(*connectors.SourceConfig)) *decoder {
	t.Helper()
	cfg := connectors.SourceConfig{Type: Type, Secrets: []string{connectortest.Secret},
		API: connectors.EnrichConfig{Token: apiToken, BaseURL: api.URL, Timeout: time.Second, Attempts: 3}}
	if edit != nil {
		edit(&cfg)
	}
	set := connectors.Settings{Name: Type, Now: now, Calls: obs}
	d, err := NewFactory().New(cfg, set)
	require.NoError(t, err)
	dec := d.(*decoder)
	token := dec.token
	dec.api = vendorapi.New(cfg.API, set, vendorapi.Options{
		Auth:      func(h http.Header) { h.Set("X-API-TOKEN", token) },
		BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond,
	})
	return dec
}

func fixtureRecords(t *testing.T, d *decoder, name string) []feedback.Record {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".form"))
	require.NoError(t, err)
	req := formRequest(b)
	require.NoError(t, d.Verify(req))
	recs, err := d.Decode(t.Context(), req)
	require.NoError(t, err)
	return recs
}

func TestEnrichGolden(t *testing.T) {
	for _, fx := range formFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			api := newFakeAPI(t)
			obs := &vendorapitest.Recorder{}
			d := enricher(t, api, connectortest.ReceivedAt, obs, nil)
			in := fixtureRecords(t, d, fx.name)
			before, err := json.Marshal(in)
			require.NoError(t, err)

			recs, err := d.Enrich(t.Context(), in)
			require.NoError(t, err)
			connectortest.CheckRecords(t, recs)
			require.Len(t, recs, 1)
			assert.Equal(t, []string{connectors.OutcomeOK, connectors.OutcomeOK}, obs.Outcomes(), "response, then survey")
			after, _ := json.Marshal(in)
			assert.JSONEq(t, string(before), string(after), "Enrich must not change its input")

			got, err := json.MarshalIndent(recs, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := filepath.Join("testdata", fx.name+".enriched.golden.json")
			if os.Getenv(connectortest.UpdateGoldenEnv) != "" {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden; run %s=1 go test ./connectors/qualtrics/", connectortest.UpdateGoldenEnv)
			assert.Equal(t, string(want), string(got), "records differ from %s", golden)

			for _, r := range recs {
				for k, v := range r.Attributes {
					assert.NotContains(t, v, "@", "attribute %s carries an email", k)
					assert.NotContains(t, k, "email")
				}
				assert.NotContains(t, r.Text, "ada.okafor@example.com", "contact-form fields are not feedback text")
			}
		})
	}
}

func TestEnrichMapping(t *testing.T) {
	d := enricher(t, newFakeAPI(t), connectortest.ReceivedAt, nil, nil)

	recs, err := d.Enrich(t.Context(), fixtureRecords(t, d, "completed_response"))
	require.NoError(t, err)
	r := recs[0]
	require.NotNil(t, r.Score)
	assert.Equal(t, feedback.ScoreNPS, r.Score.Type)
	assert.InDelta(t, 3, r.Score.Value, 0)
	assert.Equal(t, feedback.NPSDetractor, r.Score.NPSCategory)
	assert.Equal(t, feedback.Customer{ID: "C-31877", AccountID: "acct-northwest", Role: feedback.RoleUnknown}, r.Customer,
		"embedded customer_id wins over externalDataReference")
	assert.Equal(t, "last-mile", r.Team)
	assert.Equal(t, "manchester-02", r.Attributes["embedded.depot"])
	assert.Equal(t, []feedback.Answer{
		{Field: "QID2", Question: "What is the main reason for your score?", Text: "Parcel was left at the wrong door and the driver's photo showed a different house. Support took three days to answer."},
		{Field: "QID3_4", Question: "Which part of the delivery mattered most to you?", Text: "Being able to reschedule"},
	}, r.Answers)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 11, 0, time.UTC), r.OccurredAt, "endDate")
	assert.Equal(t, "Delivery experience (NPS)", r.Attributes["survey_name"])
	assert.Equal(t, "EN", r.Attributes["language"])
	assert.Equal(t, "email", r.Attributes["channel"])

	recs, err = d.Enrich(t.Context(), fixtureRecords(t, d, "completed_response_brand_topic"))
	require.NoError(t, err)
	r = recs[0]
	require.NotNil(t, r.Score, "the NPS selector, with the value as a string")
	assert.InDelta(t, 9, r.Score.Value, 0)
	assert.Equal(t, feedback.NPSPromoter, r.Score.NPSCategory)
	assert.Equal(t, "u-5521", r.Customer.ID, "embedded user_id when there is no customer_id nor externalDataReference")
	assert.Equal(t, feedback.RoleBuyer, r.Customer.Role)
	assert.Equal(t, "leeds-07", r.Attributes["embedded.store"])
	assert.Equal(t, "pro", r.Attributes["embedded.Plan"])
	for _, k := range []string{"embedded.email_hash", "embedded.Q_URL", "embedded.nested", "embedded.QID5"} {
		assert.NotContains(t, r.Attributes, k)
	}
	assert.Equal(t, "The printable label did not work on my phone, so I had to find a library printer. Please add QR code drop-off.\nRefund was on my card two days later, faster than I expected.", r.Text,
		"QID6 before QID12")
	assert.Equal(t, "What should we change about returns?", r.Answers[0].Question)
}

func TestEnrichCustomerFromExternalReference(t *testing.T) {
	api := newFakeAPI(t)
	b, err := os.ReadFile("testdata/api/surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW.json")
	require.NoError(t, err)
	edited := strings.Replace(string(b), `"customer_id": "C-31877",`, "", 1)
	api.On("/API/v3/surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(edited)) })
	d := enricher(t, api, connectortest.ReceivedAt, nil, nil)
	recs, err := d.Enrich(t.Context(), fixtureRecords(t, d, "completed_response"))
	require.NoError(t, err)
	assert.Equal(t, "CRM-00912", recs[0].Customer.ID)
}

func TestEnrichNPSOffScale(t *testing.T) {
	api := newFakeAPI(t)
	b, err := os.ReadFile("testdata/api/surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW.json")
	require.NoError(t, err)
	edited := strings.Replace(string(b), `"QID1": 3,`, `"QID1": 11,`, 1)
	api.On("/API/v3/surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(edited)) })
	d := enricher(t, api, connectortest.ReceivedAt, nil, nil)
	recs, err := d.Enrich(t.Context(), fixtureRecords(t, d, "completed_response"))
	require.NoError(t, err)
	assert.Nil(t, recs[0].Score, "a recoded NPS value off 0..10 gives no score, not an invalid record")
	assert.NotEmpty(t, recs[0].Text)
}

func TestEnrichCachesSurvey(t *testing.T) {
	api := newFakeAPI(t)
	now := connectortest.ReceivedAt()
	d := enricher(t, api, func() time.Time { return now }, nil, nil)
	const surveyPath = "/API/v3/surveys/SV_8dK2aBcDeF"
	const respPath = "/API/v3/surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW"

	for range 3 {
		_, err := d.Enrich(t.Context(), fixtureRecords(t, d, "completed_response"))
		require.NoError(t, err)
	}
	assert.Equal(t, 3, api.Count(respPath))
	assert.Equal(t, 1, api.Count(surveyPath))

	now = now.Add(surveyCacheTTL + time.Second)
	_, err := d.Enrich(t.Context(), fixtureRecords(t, d, "completed_response"))
	require.NoError(t, err)
	assert.Equal(t, 2, api.Count(surveyPath), "refetched after the TTL")

	b, err := os.ReadFile("testdata/api/surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW.json")
	require.NoError(t, err)
	edited := strings.Replace(string(b), `"QID2_TEXT"`, `"QID77_TEXT"`, 1)
	api.On(respPath, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(edited)) })
	recs, err := d.Enrich(t.Context(), fixtureRecords(t, d, "completed_response"))
	require.NoError(t, err)
	assert.Equal(t, 3, api.Count(surveyPath), "an unknown question refetches the survey")
	assert.NotContains(t, recs[0].Text, "wrong door", "an answer to a question unknown even after refetching is skipped")
}

func TestEnrichFailures(t *testing.T) {
	const respPath = "/API/v3/surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW"
	const surveyPath = "/API/v3/surveys/SV_8dK2aBcDeF"
	later := func() time.Time { return connectortest.ReceivedAt().Add(2 * time.Hour) }
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
	}
	serveFile := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			b, _ := os.ReadFile(filepath.Join("testdata", "api", name))
			_, _ = w.Write(b)
		}
	}
	raw := func(s string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(s)) }
	}
	tests := []struct {
		name     string
		path     string
		handlers []http.HandlerFunc
		now      func() time.Time
		edit     func(*connectors.SourceConfig)
		ctx      func(context.Context) (context.Context, context.CancelFunc)
		want     error // nil: success
		message  string
		outcomes []string
	}{
		{name: "5xx then success", path: respPath,
			handlers: []http.HandlerFunc{status(500), serveFile("surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW.json")},
			outcomes: []string{"retried", "ok", "ok"}},
		{name: "429 with Retry-After", path: respPath,
			handlers: []http.HandlerFunc{func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			}, serveFile("surveys/SV_8dK2aBcDeF/responses/R_2xY9qRtUvW.json")},
			outcomes: []string{"retried", "ok", "ok"}},
		{name: "5xx exhausted", path: surveyPath, handlers: []http.HandlerFunc{status(503)},
			want: connectors.ErrUpstream, message: "503 Service Unavailable after 3 attempts", outcomes: []string{"ok", "retried", "retried", "failed"}},
		{name: "401 not retried", edit: func(c *connectors.SourceConfig) { c.API.Token = "expired" },
			want: connectors.ErrUpstream, message: "401 Unauthorized (check the API token", outcomes: []string{"failed"}},
		{name: "403 not retried", path: respPath, handlers: []http.HandlerFunc{status(403)},
			want: connectors.ErrUpstream, message: "403 Forbidden", outcomes: []string{"failed"}},
		{name: "no token", edit: func(c *connectors.SourceConfig) { c.API.Token = " " },
			want: connectors.ErrUpstream, message: "sources.qualtrics.api.token"},
		{name: "no base URL", edit: func(c *connectors.SourceConfig) { c.API.BaseURL = "" },
			want: connectors.ErrUpstream, message: "set sources.qualtrics.api.base_url to https://<datacenter>.qualtrics.com"},
		{name: "response deleted (404 after the grace period)", path: respPath, handlers: []http.HandlerFunc{status(404)}, now: later,
			want: connectors.ErrIgnored, message: "response R_2xY9qRtUvW no longer exists", outcomes: []string{"not_found"}},
		{name: "404 within the grace period is retried later", path: respPath, handlers: []http.HandlerFunc{status(404)},
			want: connectors.ErrUpstream, message: "not found yet", outcomes: []string{"not_found"}},
		{name: "longer grace", path: respPath, handlers: []http.HandlerFunc{status(404)}, now: later,
			edit: func(c *connectors.SourceConfig) { c.Options = map[string]string{OptionNotFoundGrace: "3h"} },
			want: connectors.ErrUpstream, message: "not found yet", outcomes: []string{"not_found"}},
		{name: "survey deleted", path: surveyPath, handlers: []http.HandlerFunc{status(404)}, now: later,
			want: connectors.ErrIgnored, message: "survey SV_8dK2aBcDeF no longer exists", outcomes: []string{"ok", "not_found"}},
		{name: "malformed JSON", path: respPath, handlers: []http.HandlerFunc{raw(`{"result":{"values":`)},
			want: connectors.ErrUpstream, message: "malformed response", outcomes: []string{"failed"}},
		{name: "no result", path: respPath, handlers: []http.HandlerFunc{raw(`{"meta":{"httpStatus":"200 - OK"}}`)},
			want: connectors.ErrUpstream, message: "result.values missing", outcomes: []string{"ok"}},
		{name: "survey without result", path: surveyPath, handlers: []http.HandlerFunc{raw(`{}`)},
			want: connectors.ErrUpstream, message: "result missing", outcomes: []string{"ok", "ok"}},
		{name: "values of the wrong shape", path: respPath, handlers: []http.HandlerFunc{raw(`{"result":{"values":[1,2]}}`)},
			want: connectors.ErrUpstream, message: "malformed response", outcomes: []string{"failed"}},
		{name: "ctx deadline", path: respPath, handlers: []http.HandlerFunc{func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		}},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 100*time.Millisecond)
			},
			want: context.DeadlineExceeded, message: "vendor API failed", outcomes: []string{"failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			if tt.path != "" {
				api.On(tt.path, tt.handlers...)
			}
			now := tt.now
			if now == nil {
				now = connectortest.ReceivedAt
			}
			obs := &vendorapitest.Recorder{}
			d := enricher(t, api, now, obs, tt.edit)
			ctx := t.Context()
			if tt.ctx != nil {
				var cancel context.CancelFunc
				ctx, cancel = tt.ctx(ctx)
				defer cancel()
			}
			recs, err := d.Enrich(ctx, fixtureRecords(t, d, "completed_response"))
			assert.Equal(t, tt.outcomes, obs.Outcomes(), "observed calls")
			if tt.want == nil {
				require.NoError(t, err)
				require.Len(t, recs, 1)
				connectortest.CheckRecords(t, recs)
				assert.NotEmpty(t, recs[0].Text)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.Empty(t, recs)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "qualtrics: enrich")
			assert.NotContains(t, err.Error(), apiToken)
			n := 0
			for _, s := range []error{connectors.ErrUnauthorized, connectors.ErrMalformed, connectors.ErrUnsupportedMediaType,
				connectors.ErrTooLarge, connectors.ErrIgnored, connectors.ErrUpstream} {
				if errors.Is(err, s) {
					n++
				}
			}
			assert.Equal(t, 1, n, "exactly one sentinel: %v", err)
		})
	}
}

func TestEnrichRecordsNotFromThisDecoder(t *testing.T) {
	d := enricher(t, newFakeAPI(t), connectortest.ReceivedAt, nil, nil)
	_, err := d.Enrich(t.Context(), []feedback.Record{feedback.New(Type, feedback.KindSurvey, "x")})
	require.ErrorIs(t, err, connectors.ErrMalformed)
	out, err := d.Enrich(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, out)
}

func TestEnrichConcurrent(t *testing.T) {
	d := enricher(t, newFakeAPI(t), connectortest.ReceivedAt, nil, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		name := []string{"completed_response", "completed_response_brand_topic"}[i%2]
		wg.Go(func() {
			recs, err := d.Enrich(context.Background(), fixtureRecords(t, d, name))
			assert.NoError(t, err)
			assert.Len(t, recs, 1)
		})
	}
	wg.Wait()
}

func TestNaturalLess(t *testing.T) {
	keys := []string{"QID10_TEXT", "QID2", "QID10", "QID1_NPS_GROUP", "QID10_2", "QID1", "QID3_4_TEXT", "QID3_10_TEXT"}
	want := []string{"QID1", "QID1_NPS_GROUP", "QID2", "QID3_4_TEXT", "QID3_10_TEXT", "QID10", "QID10_2", "QID10_TEXT"}
	got := append([]string(nil), keys...)
	for i := range got {
		for j := i + 1; j < len(got); j++ {
			if naturalLess(got[j], got[i]) {
				got[i], got[j] = got[j], got[i]
			}
		}
	}
	assert.Equal(t, want, got)
	for k, want := range map[string]string{
		"QID1": "QID1", "QID12_3_TEXT": "QID12",
		"1_QID4_TEXT": "QID4", "12_QID4": "QID4", // loop and merge
		"QID5#1_1_1_TEXT": "QID5", "QID5#2_3": "QID5", // side by side
	} {
		got, ok := questionID(k)
		assert.True(t, ok, k)
		assert.Equal(t, want, got, k)
	}
	for _, k := range []string{"QIDX", "QID", "QID1x", "Q_URL", "qid1", "x_QID1", "_QID1", "1_QIDX"} {
		_, ok := questionID(k)
		assert.False(t, ok, k)
	}
}

func TestAnswerLess(t *testing.T) {
	keys := []string{"QID30_TEXT", "12_QID1_TEXT", "QID5#1_1_1_TEXT", "3_QID4_TEXT", "QID10_TEXT", "QID2_TEXT", "1_QID4_TEXT", "QID5#1_2_1_TEXT"}
	sort.Slice(keys, func(i, j int) bool { return answerLess(keys[i], keys[j]) })
	assert.Equal(t, []string{"12_QID1_TEXT", "QID2_TEXT", "1_QID4_TEXT", "3_QID4_TEXT", "QID5#1_1_1_TEXT", "QID5#1_2_1_TEXT", "QID10_TEXT", "QID30_TEXT"}, keys)
}

// Typed answers are never attributes, whatever their key looks like:
// attributes are not redacted.
func TestEmbeddedSkipsAnswers(t *testing.T) {
	var rec feedback.Record
	applyEmbedded(&rec, map[string]json.RawMessage{
		"plan":            json.RawMessage(`"pro"`),
		"1_QID1_TEXT":     json.RawMessage(`"my name is Ana"`),
		"QID5#1_1_1_TEXT": json.RawMessage(`"call me on 0123"`),
		"x_QID9":          json.RawMessage(`"odd"`),
		"Other_TEXT":      json.RawMessage(`"free text"`),
		"Other_text":      json.RawMessage(`"free text"`),
	})
	assert.Equal(t, map[string]string{"embedded.plan": "pro"}, rec.Attributes)
}
