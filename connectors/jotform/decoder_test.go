package jotform

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
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

// The conformance suite posts fixtures as application/json and expects a
// body-binding signature, so it cannot run for a multipart, token-auth
// vendor (README, "Conformance"). These tests are its equivalent: the same
// checks, with fixtures encoded as multipart/form-data by fixtureRequest.

var idPattern = regexp.MustCompile(`^fb_[0-9a-f]{32}$`)

func newTestDecoder(t testing.TB, opts map[string]string, secrets ...string) connectors.Decoder {
	t.Helper()
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: secrets, Options: opts}, connectortest.Settings(Type))
	require.NoError(t, err)
	require.NotNil(t, d)
	return d
}

func safeDecode(t testing.TB, d connectors.Decoder, req connectors.Request) (recs []feedback.Record, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Decode panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return d.Decode(context.Background(), req)
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(wd), f.Type)
	assert.True(t, f.Kind.Valid())

	d := newTestDecoder(t, nil, connectortest.Secret)
	s := d.(connectors.Signer)
	req := connectortest.NewRequest([]byte(`{}`))
	req.Header = nil
	require.NoError(t, s.Sign(&req, connectortest.ReceivedAt()))
	require.NotEmpty(t, req.Header, "Sign must create and set headers")

	empty := newTestDecoder(t, nil)
	require.ErrorIs(t, empty.(connectors.Verifier).Verify(req), connectors.ErrSignatureInvalid, "no secret configured")
	require.ErrorIs(t, empty.(connectors.Signer).Sign(&req, connectortest.ReceivedAt()), connectors.ErrSignatureInvalid)
}

func TestFixtures(t *testing.T) {
	fixtures := connectortest.Fixtures(t, "testdata")
	require.GreaterOrEqual(t, len(fixtures), 2)
	for _, fx := range fixtures {
		t.Run(fx.Name, func(t *testing.T) {
			d := newTestDecoder(t, nil, connectortest.Secret)
			req, err := fixtureRequest(fx.Body)
			require.NoError(t, err)
			require.NoError(t, d.(connectors.Signer).Sign(&req, connectortest.ReceivedAt()))
			require.NoError(t, d.(connectors.Verifier).Verify(req))

			recs, err := safeDecode(t, d, req)
			require.NoError(t, err)
			require.NotEmpty(t, recs)
			connectortest.CheckRecords(t, recs)
			for i, r := range recs {
				assert.Equalf(t, Type, r.Source, "record %d: source", i)
				assert.Truef(t, r.ReceivedAt.Equal(connectortest.ReceivedAt()), "record %d: received_at", i)
				assert.Equalf(t, time.UTC, r.OccurredAt.Location(), "record %d: occurred_at must be UTC", i)
				assert.Regexpf(t, idPattern, r.ID, "record %d: id", i)
				assert.NotEmptyf(t, r.EventID, "record %d: event_id", i)
			}

			got, err := json.MarshalIndent(recs, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := strings.TrimSuffix(fx.Path, ".json") + ".golden.json"
			if os.Getenv(connectortest.UpdateGoldenEnv) != "" {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file; run %s=1 go test ./connectors/jotform/", connectortest.UpdateGoldenEnv)
			assert.Equal(t, string(want), string(got))

			// Never a name, email, phone number or address anywhere, nor a
			// short free-form answer (a client's name under a truncated
			// question name, a city, an age band, a gender).
			for _, pii := range []string{"Redacted", "redacted@example.com", "010-0199", "496 0000", "Example Street", "LS1 1AA", "203.0.113.7",
				"Whitfield", "Ridgeback", "Caruaru", "Feminino", "25 a 34", "salário", "98765432100"} {
				assert.NotContains(t, string(got), pii)
			}
			// Answers are unescaped and have LF line breaks.
			for _, esc := range []string{"&quot;", "&#039;", "&amp;", `\r`} {
				assert.NotContains(t, string(got), esc)
			}

			var parts map[string]string
			require.NoError(t, json.Unmarshal(fx.Body, &parts))
			form := formRequest(parts)
			form.URI = "/v1/webhooks/jotform?token=" + connectortest.Secret
			require.NoError(t, d.(connectors.Verifier).Verify(form), "urlencoded with ?token=")
			fromForm, err := safeDecode(t, d, form)
			require.NoError(t, err)
			assert.Equal(t, recs, fromForm, "urlencoded and multipart bodies decode alike")

			again, err := safeDecode(t, d, req)
			require.NoError(t, err)
			assert.Equal(t, recs, again, "Decode is not deterministic")

			var wg sync.WaitGroup
			results := make([][]feedback.Record, 4)
			for i := range results {
				wg.Go(func() { results[i], _ = d.Decode(context.Background(), req) })
			}
			wg.Wait()
			for i, r := range results {
				assert.Equalf(t, recs, r, "concurrent Decode %d differs", i)
			}
		})
	}
}

func TestSigning(t *testing.T) {
	for _, fx := range connectortest.Fixtures(t, "testdata") {
		t.Run(fx.Name, func(t *testing.T) {
			d := newTestDecoder(t, nil, connectortest.Secret)
			v := d.(connectors.Verifier)
			req, err := fixtureRequest(fx.Body)
			require.NoError(t, err)
			require.NoError(t, d.(connectors.Signer).Sign(&req, connectortest.ReceivedAt()))
			require.NoError(t, v.Verify(req))

			t.Run("tampered body still verifies (a token does not bind the body)", func(t *testing.T) {
				tampered := req
				tampered.Body = append([]byte(nil), req.Body...)
				tampered.Body[len(tampered.Body)/2] ^= 0x01
				require.NoError(t, v.Verify(tampered))
			})
			t.Run("wrong secret", func(t *testing.T) {
				err := newTestDecoder(t, nil, "another-secret").(connectors.Verifier).Verify(req)
				require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
				assert.Equal(t, connectors.ReasonSignatureInvalid, connectors.Reason(err))
			})
			t.Run("rotation", func(t *testing.T) {
				both := newTestDecoder(t, nil, "new-secret", connectortest.Secret).(connectors.Verifier)
				require.NoError(t, both.Verify(req))
				signedByNew, err := fixtureRequest(fx.Body)
				require.NoError(t, err)
				require.NoError(t, newTestDecoder(t, nil, "new-secret").(connectors.Signer).Sign(&signedByNew, connectortest.ReceivedAt()))
				require.NoError(t, both.Verify(signedByNew))
				require.ErrorIs(t, v.Verify(signedByNew), connectors.ErrSignatureInvalid)
			})
			t.Run("missing token", func(t *testing.T) {
				bare := req
				bare.Header = bare.Header.Clone()
				bare.Header.Del("X-Corridor-Token")
				require.ErrorIs(t, v.Verify(bare), connectors.ErrSignatureMissing)
				bare.Header = nil
				require.ErrorIs(t, v.Verify(bare), connectors.ErrSignatureMissing, "nil Header")
			})
		})
	}
}

func TestSignatureVectors(t *testing.T) {
	connectortest.RunSignatureVectors(t, NewFactory(), "testdata/signatures.json")
}

func TestHostile(t *testing.T) {
	d := newTestDecoder(t, nil, connectortest.Secret)
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	deepObj := strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000)
	long := "[" + strings.Repeat("1,", connectors.MaxJSONArrayLen) + "1]"
	ct := "multipart/form-data; boundary=" + boundary
	cases := []struct {
		name string
		req  connectors.Request
		want error
	}{
		{"empty body", rawRequest(nil, ct), connectors.ErrMalformed},
		{"garbage body", rawRequest([]byte("\x00\x01not multipart }{"), ct), connectors.ErrMalformed},
		{"truncated", rawRequest([]byte("--"+boundary+"\r\nContent-Disposition: form-data; name=\"formID\"\r\n\r\n24123"), ct), connectors.ErrMalformed},
		{"no boundary", rawRequest([]byte("x"), "multipart/form-data"), connectors.ErrMalformed},
		{"json", connectortest.NewRequest([]byte(`{"submissionID":"1","rawRequest":"{}"}`)), connectors.ErrUnsupportedMediaType},
		{"no content type", func() connectors.Request { r := multipartRequest(fields("{}")); r.ContentType = ""; return r }(), connectors.ErrUnsupportedMediaType},
		{"text/plain", func() connectors.Request { r := multipartRequest(fields("{}")); r.ContentType = "text/plain"; return r }(), connectors.ErrUnsupportedMediaType},
		{"multipart body sent as urlencoded", func() connectors.Request {
			r := multipartRequest(fields("{}"))
			r.ContentType = mediaForm
			return r
		}(), connectors.ErrMalformed},
		{"urlencoded bad escape", formBody("submissionID=1&rawRequest=%zz"), connectors.ErrMalformed},
		{"urlencoded no submissionID", formRequest(map[string]string{FieldRawRequest: "{}"}), connectors.ErrMalformed},
		{"urlencoded rawRequest not JSON", formRequest(fields("q1_x=1")), connectors.ErrMalformed},
		{"urlencoded empty body", formBody(""), connectors.ErrMalformed},
		{"no submissionID", multipartRequest(map[string]string{FieldRawRequest: "{}"}), connectors.ErrMalformed},
		{"blank submissionID", multipartRequest(map[string]string{FieldSubmissionID: " ", FieldRawRequest: "{}"}), connectors.ErrMalformed},
		{"no rawRequest", multipartRequest(map[string]string{FieldSubmissionID: "1"}), connectors.ErrMalformed},
		{"rawRequest not JSON", multipartRequest(fields("q1_x=1")), connectors.ErrMalformed},
		{"rawRequest truncated", multipartRequest(fields(`{"q1_x":`)), connectors.ErrMalformed},
		{"rawRequest null", multipartRequest(fields("null")), connectors.ErrMalformed},
		{"rawRequest array", multipartRequest(fields("[]")), connectors.ErrMalformed},
		{"rawRequest string", multipartRequest(fields(`"hello"`)), connectors.ErrMalformed},
		{"rawRequest deep arrays", multipartRequest(fields(`{"q1_x":` + deep + `}`)), connectors.ErrMalformed},
		{"rawRequest deep objects", multipartRequest(fields(`{"q1_x":` + deepObj + `}`)), connectors.ErrMalformed},
		{"rawRequest long array", multipartRequest(fields(`{"q1_x":` + long + `}`)), connectors.ErrMalformed},
		{"rawRequest invalid utf-8", multipartRequest(fields("{\"q1_\xff\":\"\xc3\x28\"}")), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, d.(connectors.Signer).Sign(&c.req, connectortest.ReceivedAt()))
			recs, err := safeDecode(t, d, c.req)
			if c.want == nil {
				require.NoError(t, err)
				connectortest.CheckRecords(t, recs)
				return
			}
			connectortest.RequireSentinel(t, err)
			require.ErrorIs(t, err, c.want)
			require.Empty(t, recs)
			assert.ErrorContains(t, err, "jotform: decode")
		})
	}
}

// decodeRaw decodes a submission whose rawRequest is the JSON of raw.
func decodeRaw(t *testing.T, opts map[string]string, raw map[string]any) (feedback.Record, error) {
	t.Helper()
	d := newTestDecoder(t, opts, connectortest.Secret)
	recs, err := safeDecode(t, d, multipartRequest(fields(mustJSON(t, raw))))
	if err != nil {
		connectortest.RequireSentinel(t, err)
		require.Empty(t, recs)
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	connectortest.CheckRecords(t, recs)
	return recs[0], nil
}

func TestDecodeBasics(t *testing.T) {
	rec, err := decodeRaw(t, nil, map[string]any{"q7_comments": "Box arrived crushed"})
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "5912345678901234567"), rec.ID)
	assert.Equal(t, "5912345678901234567", rec.EventID)
	assert.Equal(t, int64(1), rec.Version)
	assert.Equal(t, connectortest.ReceivedAt(), rec.OccurredAt)
	assert.Equal(t, feedback.KindSurvey, rec.Kind)
	assert.Equal(t, "Box arrived crushed", rec.Text)
	assert.Equal(t, []feedback.Answer{{Field: "q7_comments", Text: "Box arrived crushed"}}, rec.Answers)
	assert.Equal(t, map[string]string{"form_id": "241234567890123", "form_title": "Post-purchase survey", "submission_type": "web"}, rec.Attributes)

	rec, err = decodeRaw(t, nil, map[string]any{})
	require.NoError(t, err, "a submission without answers is still a record")
	assert.Empty(t, rec.Text)
}

func TestDecodeHeuristics(t *testing.T) {
	longAnswer := "The courier left the parcel in the rain and nobody answered the phone line."
	tests := []struct {
		name      string
		raw       map[string]any
		wantText  string
		wantScore *feedback.Score
		wantAttrs map[string]string
	}{
		{
			name:      "rating slug 1..5",
			raw:       map[string]any{"q5_rating": "2"},
			wantScore: &feedback.Score{Value: 2, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.25},
			wantAttrs: map[string]string{"score_field": "q5_rating"},
		},
		{
			name:      "nps slug wins over an earlier rating",
			raw:       map[string]any{"q2_overallSatisfaction": "4", "q3_howLikely": "10"},
			wantScore: &feedback.Score{Value: 10, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 1, NPSCategory: feedback.NPSPromoter},
			wantAttrs: map[string]string{"score_field": "q3_howLikely", "answer.q2_overallSatisfaction": "4"},
		},
		{
			name:      "nps by number order, not key order",
			raw:       map[string]any{"q10_nps": "3", "q9_wouldYouRecommend": "8"},
			wantScore: &feedback.Score{Value: 8, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.8, NPSCategory: feedback.NPSPassive},
			wantAttrs: map[string]string{"score_field": "q9_wouldYouRecommend", "answer.q10_nps": "3"},
		},
		{
			name:      "out-of-range heuristic numbers are attributes, not errors",
			raw:       map[string]any{"q1_rating": "7", "q2_nps": "11", "q3_score": 0},
			wantAttrs: map[string]string{"answer.q1_rating": "7", "answer.q2_nps": "11", "answer.q3_score": "0"},
		},
		{
			name:      "numbers without a score word are attributes",
			raw:       map[string]any{"q4_quantity": "3", "q5_age": 41},
			wantAttrs: map[string]string{"answer.q4_quantity": "3", "answer.q5_age": "41"},
		},
		{
			name:     "text slugs and long strings are text, in question order",
			raw:      map[string]any{"q12_whatIs": longAnswer, "q7_comments": "Slow", "q8_other": "x", "q9_whyDid": "Price", "q3_feedback": "Great"},
			wantText: "Great\nSlow\nx\nPrice\n" + longAnswer,
		},
		{
			name: "short strings without a text word are not attributes (they may be personal; see attribute_fields)",
			raw: map[string]any{"q6_customerId": "cus_1", "q9_whereDid": "Online store", "q2_mayWe": "Yes",
				"q9_7Please": "Dana Whitfield, Ridgeback FC", "q14_cidade": "Olinda", "q17_idade": "35 a 44 anos", "q18_genero": "Masculino"},
			wantAttrs: map[string]string{},
		},
		{
			name:     "HTML entities are unescaped and line breaks are LF",
			raw:      map[string]any{"q7_comments": "It&#039;s &quot;fine&quot; &amp; fast\r\nmostly\rreally", "q8_feedback": "&lt;b&gt;", "q9_notes": "&#13;&#10;"},
			wantText: "It's \"fine\" & fast\nmostly\nreally\n<b>",
		},
		{
			name:      "escaped emails and phone numbers are found after unescaping",
			raw:       map[string]any{"q7_comments": "x", "q8_reachMe": "ana&#64;example.com", "q9_other": "&#43;44 113 496 0000"},
			wantText:  "x",
			wantAttrs: map[string]string{},
		},
		{
			name:     "summary questions are text",
			raw:      map[string]any{"q27_26Summarize": "Refund emails go out twice", "q2_summary": "Slow"},
			wantText: "Slow\nRefund emails go out twice",
		},
		{
			name: "personal data never copied",
			raw: map[string]any{
				"q3_name": map[string]any{"first": "Ana", "last": "Lopez"}, "q4_email": "ana@example.com", "q5_fullName": "Ana Lopez",
				"q6_phoneNumber": map[string]any{"full": "(555) 010-0199"}, "q7_yourContact": "+44 113 496 0000", "q8_reachMe": "ana@example.com",
				"q9_address": map[string]any{"city": "Leeds"}, "q10_streetAddress": "1 Example Street", "q11_eMail": "x",
				"q12_signature": "data:image/png;base64,AAAA", "q13_dateOf": map[string]any{"day": "02"}, "q14_yourComments": "Call me on 0113 496 0000",
			},
			wantText: "Call me on 0113 496 0000",
		},
		{
			name: "lists, booleans, null and blanks are skipped",
			raw:  map[string]any{"q1_services": []any{"A", "B"}, "q2_ok": true, "q3_comments": nil, "q4_feedback": "  ", "q5_upload": []any{"https://www.jotform.com/uploads/x.png"}},
		},
		{
			name:      "keys that are not q<N>_<name> are ignored",
			raw:       map[string]any{"slug": "submit/1", "event_id": "1_2_3", "qx_comments": "no", "q_comments": "no", "q1_": "no", "buildDate": "1740909500000", "q-1_comments": "no"},
			wantAttrs: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeRaw(t, nil, tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.wantText, rec.Text)
			assert.Equal(t, tt.wantScore, rec.Score)
			attrs := map[string]string{}
			for k, v := range rec.Attributes {
				if k != "form_id" && k != "form_title" && k != "submission_type" {
					attrs[k] = v
				}
			}
			if tt.wantAttrs == nil {
				tt.wantAttrs = map[string]string{}
			}
			assert.Equal(t, tt.wantAttrs, attrs)
		})
	}
}

func TestDecodeOptions(t *testing.T) {
	raw := map[string]any{"q5_howDo": "8", "q6_rating": "3", "q7_comments": "Slow checkout", "q8_other": "Add PayPal", "q9_thoughts": "Nice"}
	tests := []struct {
		name      string
		opts      map[string]string
		raw       map[string]any
		wantText  string
		wantScore *feedback.Score
		wantErr   string
	}{
		{
			name:      "score_field overrides the heuristics",
			opts:      map[string]string{OptionScoreField: "q5_howDo", OptionScoreType: "nps"},
			wantText:  "Slow checkout\nAdd PayPal\nNice",
			wantScore: &feedback.Score{Value: 8, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.8, NPSCategory: feedback.NPSPassive},
		},
		{
			name:      "score_field with a custom scale",
			opts:      map[string]string{OptionScoreField: "q5_howDo", OptionScoreType: "Rating", OptionScoreMin: "1", OptionScoreMax: "10"},
			wantText:  "Slow checkout\nAdd PayPal\nNice",
			wantScore: &feedback.Score{Value: 8, Min: 1, Max: 10, Type: feedback.ScoreRating, Normalized: 7.0 / 9},
		},
		{
			name:      "score_field default type is a 1..5 rating",
			opts:      map[string]string{OptionScoreField: "q6_rating"},
			wantText:  "Slow checkout\nAdd PayPal\nNice",
			wantScore: &feedback.Score{Value: 3, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.5},
		},
		{
			name:      "csat and ces default scales",
			opts:      map[string]string{OptionScoreField: "q6_rating", OptionScoreType: "ces"},
			wantText:  "Slow checkout\nAdd PayPal\nNice",
			wantScore: &feedback.Score{Value: 3, Min: 1, Max: 7, Type: feedback.ScoreCES, Normalized: 1.0 / 3},
		},
		{
			name:     "unanswered score_field: no score",
			opts:     map[string]string{OptionScoreField: "q20_nps"},
			wantText: "Slow checkout\nAdd PayPal\nNice",
		},
		{
			name:    "score_field out of range",
			opts:    map[string]string{OptionScoreField: "q5_howDo", OptionScoreType: "csat"},
			wantErr: "rawRequest.q5_howDo: csat score: value 8 outside 1..5",
		},
		{
			name:    "score_field not a number",
			opts:    map[string]string{OptionScoreField: "q7_comments"},
			wantErr: `rawRequest.q7_comments: "Slow checkout" is not a number`,
		},
		{
			name:      "text_fields overrides the heuristics",
			opts:      map[string]string{OptionTextFields: "q8_other, q5_howDo"},
			wantText:  "8\nAdd PayPal",
			wantScore: &feedback.Score{Value: 3, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.5},
		},
		{
			name:     "text_fields still skips objects",
			opts:     map[string]string{OptionTextFields: "q3_name,q7_comments"},
			raw:      map[string]any{"q3_name": map[string]any{"first": "Ana"}, "q7_comments": "Fine"},
			wantText: "Fine",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := raw
			if tt.raw != nil {
				r = tt.raw
			}
			rec, err := decodeRaw(t, tt.opts, r)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, connectors.ErrMalformed)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantText, rec.Text)
			assert.Equal(t, tt.wantScore, rec.Score)
		})
	}
}

func TestDecodeAttributes(t *testing.T) {
	raw := map[string]any{
		"q2_howLikely": "9", "q3_overallSatisfaction": "4", "q4_quantity": 2,
		"q5_plan": "Pro &amp; Teams", "q6_customerId": "cus_1", "q7_comments": "Slow checkout",
		"q8_channels": []any{"Email", "Phone, evenings", " ", "Chat"}, "q9_7Please": "Dana Whitfield, Ridgeback FC",
		"q11_anythingElse": "No",
	}
	tests := []struct {
		name      string
		opts      map[string]string
		raw       map[string]any
		wantText  string
		wantAttrs map[string]string
	}{
		{
			name:      "default: numbers only",
			wantText:  "Slow checkout\nNo",
			wantAttrs: map[string]string{"answer.q3_overallSatisfaction": "4", "answer.q4_quantity": "2"},
		},
		{
			name:     "attribute_fields: listed strings and lists, and no unlisted number",
			opts:     map[string]string{OptionAttributeFields: "q5_plan, q6_customerId,q8_channels,q4_quantity"},
			wantText: "Slow checkout\nNo",
			wantAttrs: map[string]string{
				"answer.q5_plan": "Pro & Teams", "answer.q6_customerId": "cus_1", "answer.q8_channels": "Email,Phone  evenings,Chat",
				"answer.q4_quantity": "2",
			},
		},
		{
			name:      "attribute_fields empty: no answer attributes at all",
			opts:      map[string]string{OptionAttributeFields: ""},
			wantText:  "Slow checkout\nNo",
			wantAttrs: map[string]string{},
		},
		{
			name:      "a listed key is an attribute even when it reads like text",
			opts:      map[string]string{OptionAttributeFields: "q11_anythingElse"},
			wantText:  "Slow checkout",
			wantAttrs: map[string]string{"answer.q11_anythingElse": "No"},
		},
		{
			name:      "a listed key that is the score stays the score",
			opts:      map[string]string{OptionAttributeFields: "q2_howLikely,q3_overallSatisfaction"},
			wantText:  "Slow checkout\nNo",
			wantAttrs: map[string]string{"answer.q3_overallSatisfaction": "4"},
		},
		{
			name:      "with text_fields, listed keys are still attributes",
			opts:      map[string]string{OptionTextFields: "q7_comments", OptionAttributeFields: "q5_plan"},
			wantText:  "Slow checkout",
			wantAttrs: map[string]string{"answer.q5_plan": "Pro & Teams"},
		},
		{
			name: "listed keys: personal question names and email or phone values are still skipped",
			opts: map[string]string{OptionAttributeFields: "q3_name,q4_email,q5_city,q6_reachMe,q7_contacts,q8_full"},
			raw: map[string]any{"q3_name": map[string]any{"first": "Ana"}, "q4_email": "x", "q5_city": "Leeds",
				"q6_reachMe": "ana@example.com", "q7_contacts": []any{"Work", "+44 113 496 0000"}, "q8_full": "Ana Lopez"},
			wantAttrs: map[string]string{"answer.q8_full": "Ana Lopez"},
		},
		{
			name: "listed values over 100 characters, and lists of non-strings, are dropped",
			opts: map[string]string{OptionAttributeFields: "q1_code,q2_code,q3_many,q4_many,q5_rows"},
			raw: map[string]any{"q1_code": strings.Repeat("x", 101), "q2_code": strings.Repeat("y", 100),
				"q3_many": []any{strings.Repeat("a", 50), strings.Repeat("b", 50)}, "q4_many": []any{strings.Repeat("c", 49), strings.Repeat("d", 50)},
				"q5_rows": []any{map[string]any{"a": "b"}}},
			wantAttrs: map[string]string{"answer.q2_code": strings.Repeat("y", 100), "answer.q4_many": strings.Repeat("c", 49) + "," + strings.Repeat("d", 50)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := raw
			if tt.raw != nil {
				r = tt.raw
			}
			rec, err := decodeRaw(t, tt.opts, r)
			require.NoError(t, err)
			assert.Equal(t, tt.wantText, rec.Text)
			attrs := map[string]string{}
			for k, v := range rec.Attributes {
				if strings.HasPrefix(k, "answer.") {
					attrs[k] = v
				}
			}
			assert.Equal(t, tt.wantAttrs, attrs)
		})
	}
}

// TestFixtureAttributeFields decodes the sign-up fixture the way an
// operator who segments by its choice questions would configure it.
func TestFixtureAttributeFields(t *testing.T) {
	body, err := os.ReadFile("testdata/submission_signup.json")
	require.NoError(t, err)
	req, err := fixtureRequest(body)
	require.NoError(t, err)
	d := newTestDecoder(t, map[string]string{
		OptionAttributeFields: "q7_voceVeio,q9_estado,q13_quantasPessoas,q16_consentimentoPara,q4_email4",
		OptionScoreField:      "q15_comoAvalia",
	}, connectortest.Secret)
	recs, err := safeDecode(t, d, req)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, map[string]string{
		"answer.q7_voceVeio": "Programa Parceiro", "answer.q9_estado": "Pernambuco", "answer.q13_quantasPessoas": "3",
		"answer.q16_consentimentoPara": "Aceito", "score_field": "q15_comoAvalia",
		"form_id": "250611122233344", "form_title": "Formulário de Inscrição – Turma 2025", "submission_type": "web",
	}, recs[0].Attributes, "listed choices only; the listed email key is still skipped")
	require.NotNil(t, recs[0].Score)
	assert.Equal(t, 4.0, recs[0].Score.Value)
}

func TestDecodeSubmitDate(t *testing.T) {
	at := connectortest.ReceivedAt()
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	tests := []struct {
		name       string
		submitDate any // nil: absent
		want       time.Time
	}{
		{"absent: receive time", nil, at},
		{"ms string", ms(at.Add(-19*time.Second - 308*time.Millisecond)), at.Add(-19*time.Second - 308*time.Millisecond)},
		{"ms number", at.Add(-time.Hour).UnixMilli(), at.Add(-time.Hour)},
		{"days before (a queued offline submission)", ms(at.Add(-72 * time.Hour)), at.Add(-72 * time.Hour)},
		{"ahead within tolerance (browser clock)", ms(at.Add(connectors.DefaultTolerance)), at.Add(connectors.DefaultTolerance)},
		{"ahead beyond tolerance: receive time", ms(at.Add(connectors.DefaultTolerance + time.Millisecond)), at},
		{"blank", " ", at},
		{"not a number", "yesterday", at},
		{"fraction", "1740909881692.5", at},
		{"zero", "0", at},
		{"negative", "-1740909881692", at},
		{"beyond year 9999", "253402300800000", at},
		{"overflow", "99999999999999999999", at},
		{"null", json.RawMessage("null"), at},
		{"object", map[string]any{"ms": 1}, at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := map[string]any{"q7_comments": "ok"}
			if tt.submitDate != nil {
				raw["submitDate"] = tt.submitDate
			}
			rec, err := decodeRaw(t, nil, raw)
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(rec.OccurredAt), "occurred_at %s, want %s", rec.OccurredAt, tt.want)
			assert.Equal(t, time.UTC, rec.OccurredAt.Location())
			assert.Equal(t, at, rec.ReceivedAt)
		})
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		opts    map[string]string
		wantErr string
	}{
		{map[string]string{OptionScoreField: "q5_rating", OptionScoreType: "nps", OptionTextFields: "q7_comments,q8_other"}, ""},
		{map[string]string{OptionScoreField: "q5_rating", OptionScoreMin: "0", OptionScoreMax: "10"}, ""},
		{map[string]string{"score": "q5"}, "options.score: unknown option"},
		{map[string]string{OptionScoreField: "q5", OptionScoreType: "stars"}, `"stars" is not nps, csat, ces or rating`},
		{map[string]string{OptionScoreField: "q5", OptionScoreMin: "x"}, `options.score_min: "x" is not a number`},
		{map[string]string{OptionScoreField: "q5", OptionScoreMin: "5", OptionScoreMax: "1"}, "max 1 must exceed min 5"},
		{map[string]string{OptionScoreType: "nps"}, "options.score_type: needs score_field"},
		{map[string]string{OptionScoreMax: "7"}, "options.score_max: needs score_field"},
		{map[string]string{OptionAttributeFields: "q5_plan, q8_channels", OptionTextFields: "q7_comments"}, ""},
		{map[string]string{OptionAttributeFields: ""}, ""},
		{map[string]string{OptionAttributeFields: "q5_plan,q7_comments", OptionTextFields: "q7_comments"}, "options.attribute_fields: q7_comments is also in text_fields"},
		{map[string]string{OptionAttributeFields: "q5_rating", OptionScoreField: "q5_rating"}, "options.attribute_fields: q5_rating is the score_field"},
	}
	for _, tt := range tests {
		_, err := NewFactory().New(connectors.SourceConfig{Type: Type, Options: tt.opts}, connectors.Settings{})
		if tt.wantErr == "" {
			assert.NoError(t, err, "%v", tt.opts)
			continue
		}
		assert.ErrorContains(t, err, tt.wantErr, "%v", tt.opts)
		assert.ErrorContains(t, err, "jotform: ")
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string][]string{
		"howLikely":            {"how", "likely"},
		"overall_satisfaction": {"overall", "satisfaction"},
		"NPS":                  {"nps"},
		"typeA10":              {"type", "a", "10"},
		"eMail":                {"e", "mail"},
		"q2":                   {"q", "2"},
		"":                     nil,
		"rate-our service":     {"rate", "our", "service"},
	} {
		assert.Equal(t, want, words(in), in)
	}
}
