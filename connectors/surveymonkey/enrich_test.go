package surveymonkey

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
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

const apiToken = "sm-access-token-DO-NOT-LOG"

type fakeAPI = vendorapitest.API

// newFakeAPI serves testdata/api the way the vendor's API answers.
func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	return vendorapitest.New(t, vendorapitest.Config{
		Prefix:       "/v3/",
		Authorized:   func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+apiToken },
		Unauthorized: `{"error":{"id":"1011","name":"Authorization Error","message":"The authorization token was not provided."}}`,
		NotFound:     `{"error":{"id":"1020","name":"Resource Not Found","message":"There was an error retrieving the requested resource."}}`,
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
		Auth:      func(h http.Header) { h.Set("Authorization", "Bearer "+token) },
		BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond,
	})
	return dec
}

func fixtureRecords(t *testing.T, d *decoder, name string) []feedback.Record {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	require.NoError(t, err)
	req := connectortest.NewRequest(b)
	req.ContentType = "application/vnd.surveymonkey.response.v1+json"
	require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
	require.NoError(t, d.Verify(req))
	recs, err := d.Decode(t.Context(), req)
	require.NoError(t, err)
	return recs
}

func TestEnrichGolden(t *testing.T) {
	for _, fx := range connectortest.Fixtures(t, "testdata") {
		t.Run(fx.Name, func(t *testing.T) {
			api := newFakeAPI(t)
			obs := &vendorapitest.Recorder{}
			d := enricher(t, api, connectortest.ReceivedAt, obs, nil)
			in := fixtureRecords(t, d, fx.Name)
			before, err := json.Marshal(in)
			require.NoError(t, err)

			recs, err := d.Enrich(t.Context(), in)
			require.NoError(t, err)
			connectortest.CheckRecords(t, recs)
			require.Len(t, recs, 1)
			assert.Equal(t, []string{connectors.OutcomeOK, connectors.OutcomeOK}, obs.Outcomes(), "response details, then survey details")
			after, _ := json.Marshal(in)
			assert.JSONEq(t, string(before), string(after), "Enrich must not change its input")

			got, err := json.MarshalIndent(recs, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := filepath.Join("testdata", fx.Name+".enriched.golden.json")
			if os.Getenv(connectortest.UpdateGoldenEnv) != "" {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden; run %s=1 go test ./connectors/surveymonkey/", connectortest.UpdateGoldenEnv)
			assert.Equal(t, string(want), string(got), "records differ from %s", golden)

			for _, r := range recs {
				for k, v := range r.Attributes {
					assert.NotContains(t, v, "@", "attribute %s carries an email", k)
				}
				assert.NotContains(t, r.Text, "jo@example.com", "contact information is not feedback text")
				assert.NotContains(t, r.Text, "Jo Bloggs")
			}
		})
	}
}

func TestEnrichMapping(t *testing.T) {
	api := newFakeAPI(t)
	d := enricher(t, api, connectortest.ReceivedAt, nil, nil)

	recs, err := d.Enrich(t.Context(), fixtureRecords(t, d, "response_completed"))
	require.NoError(t, err)
	r := recs[0]
	require.NotNil(t, r.Score)
	assert.Equal(t, feedback.ScoreNPS, r.Score.Type)
	assert.InDelta(t, 6, r.Score.Value, 0)
	assert.Equal(t, feedback.NPSDetractor, r.Score.NPSCategory)
	assert.Equal(t, feedback.Customer{ID: "C-20417", AccountID: "acme-logistics", Role: feedback.RoleUnknown}, r.Customer)
	assert.Equal(t, "business", r.Attributes["custom.plan"])
	assert.NotContains(t, r.Attributes, "custom.contact_email")
	assert.Equal(t, []feedback.Answer{
		{Field: "152000102", Question: "What is the main reason for your score?", Text: "The driver was friendly, but the parcel arrived two days late and the tracking page never updated. I had to call twice to find out where it was."},
		{Field: "152000103_other", Question: "Which channel did you contact us through?", Text: "WhatsApp message to my account manager"},
	}, r.Answers)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 11, 0, time.UTC), r.OccurredAt, "date_modified")
	assert.Equal(t, r.OccurredAt.Unix(), r.Version)

	recs, err = d.Enrich(t.Context(), fixtureRecords(t, d, "response_updated"))
	require.NoError(t, err)
	r = recs[0]
	require.NotNil(t, r.Score)
	assert.Equal(t, feedback.ScoreRating, r.Score.Type)
	assert.InDelta(t, 2, r.Score.Value, 0, "the second star by position, whatever the listed order")
	assert.InDelta(t, 5, r.Score.Max, 0)
	assert.Equal(t, "u-88213", r.Customer.ID)
	assert.Equal(t, "smb-onboarding", r.Team)
	assert.Equal(t, "acct-5521", r.Attributes["custom_value"])
	assert.Equal(t, "Onboarding check-in & setup", r.Attributes["survey_title"])
	assert.NotContains(t, r.Attributes, "custom.Email")
	assert.Equal(t, "Importing our rate cards from the spreadsheet was quick.\nLabel printer drivers for the warehouse PCs took a week to sort out.\nCustoms paperwork for EU parcels", r.Text,
		"numbers and dates are not text")
	assert.Equal(t, "Tell us about setup — What got in the way?", r.Answers[1].Question)
}

func TestEnrichCachesSurveyDetails(t *testing.T) {
	api := newFakeAPI(t)
	now := connectortest.ReceivedAt()
	d := enricher(t, api, func() time.Time { return now }, nil, nil)
	const surveyPath = "/v3/surveys/401234567/details"

	for range 3 {
		_, err := d.Enrich(t.Context(), fixtureRecords(t, d, "response_completed"))
		require.NoError(t, err)
	}
	assert.Equal(t, 3, api.Count("/v3/surveys/401234567/responses/118822334455/details"))
	assert.Equal(t, 1, api.Count(surveyPath), "survey details come from the cache")

	now = now.Add(surveyCacheTTL + time.Second)
	_, err := d.Enrich(t.Context(), fixtureRecords(t, d, "response_completed"))
	require.NoError(t, err)
	assert.Equal(t, 2, api.Count(surveyPath), "refetched after the TTL")

	// A question the cached survey does not know (the survey was edited)
	// refetches at once.
	b, err := os.ReadFile("testdata/api/surveys/401234567/responses/118822334455/details.json")
	require.NoError(t, err)
	edited := strings.Replace(string(b), `"id": "152000102"`, `"id": "152000199"`, 1)
	api.On("/v3/surveys/401234567/responses/118822334455/details", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(edited)) })
	recs, err := d.Enrich(t.Context(), fixtureRecords(t, d, "response_completed"))
	require.NoError(t, err)
	assert.Equal(t, 3, api.Count(surveyPath))
	assert.NotContains(t, recs[0].Text, "driver was friendly", "an answer to a question unknown even after refetching is skipped")
}

func TestEnrichFailures(t *testing.T) {
	const respPath = "/v3/surveys/401234567/responses/118822334455/details"
	const surveyPath = "/v3/surveys/401234567/details"
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
			handlers: []http.HandlerFunc{status(502), status(503), serveFile("surveys/401234567/responses/118822334455/details.json")},
			outcomes: []string{"retried", "retried", "ok", "ok"}},
		{name: "429 with Retry-After", path: surveyPath,
			handlers: []http.HandlerFunc{func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			}, serveFile("surveys/401234567/details.json")},
			outcomes: []string{"ok", "retried", "ok"}},
		{name: "5xx exhausted", path: respPath, handlers: []http.HandlerFunc{status(500)},
			want: connectors.ErrUpstream, message: "500 Internal Server Error after 3 attempts", outcomes: []string{"retried", "retried", "failed"}},
		{name: "401 not retried", path: respPath, handlers: []http.HandlerFunc{status(401)},
			want: connectors.ErrUpstream, message: "401 Unauthorized", outcomes: []string{"failed"}},
		{name: "wrong token", edit: func(c *connectors.SourceConfig) { c.API.Token = "stale-token" },
			want: connectors.ErrUpstream, message: "check the API token", outcomes: []string{"failed"}},
		{name: "no token", edit: func(c *connectors.SourceConfig) { c.API.Token = "" },
			want: connectors.ErrUpstream, message: "sources.surveymonkey.api.token", outcomes: nil},
		{name: "response deleted (404 after the grace period)", path: respPath, handlers: []http.HandlerFunc{status(404)}, now: later,
			want: connectors.ErrIgnored, message: "response 118822334455 no longer exists", outcomes: []string{"not_found"}},
		{name: "404 within the grace period is retried later", path: respPath, handlers: []http.HandlerFunc{status(404)},
			want: connectors.ErrUpstream, message: "not found yet", outcomes: []string{"not_found"}},
		{name: "zero grace", path: respPath, handlers: []http.HandlerFunc{status(404)},
			edit: func(c *connectors.SourceConfig) { c.Options = map[string]string{OptionNotFoundGrace: "0s"} },
			want: connectors.ErrIgnored, message: "no longer exists", outcomes: []string{"not_found"}},
		{name: "survey deleted", path: surveyPath, handlers: []http.HandlerFunc{status(410)}, now: later,
			want: connectors.ErrIgnored, message: "survey 401234567 no longer exists", outcomes: []string{"ok", "not_found"}},
		{name: "partial response", path: respPath, handlers: []http.HandlerFunc{serveFile("surveys/402998877/responses/118900112299/details.json")},
			want: connectors.ErrIgnored, message: "is partial, not completed", outcomes: []string{"ok"}},
		{name: "malformed response JSON", path: respPath, handlers: []http.HandlerFunc{func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"pages":[{"questions":`)) }},
			want: connectors.ErrUpstream, message: "malformed response", outcomes: []string{"failed"}},
		{name: "response JSON of the wrong shape", path: respPath, handlers: []http.HandlerFunc{func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"pages":{"id":1}}`)) }},
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
			recs, err := d.Enrich(ctx, fixtureRecords(t, d, "response_completed"))
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
			assert.ErrorContains(t, err, "surveymonkey: enrich")
			assert.NotContains(t, err.Error(), apiToken)
			assert.Equal(t, 1, countSentinels(err), "exactly one sentinel: %v", err)
		})
	}
}

func countSentinels(err error) int {
	n := 0
	for _, s := range []error{connectors.ErrUnauthorized, connectors.ErrMalformed, connectors.ErrUnsupportedMediaType,
		connectors.ErrTooLarge, connectors.ErrIgnored, connectors.ErrUpstream} {
		if errors.Is(err, s) {
			n++
		}
	}
	return n
}

func TestEnrichRecordsNotFromThisDecoder(t *testing.T) {
	d := enricher(t, newFakeAPI(t), connectortest.ReceivedAt, nil, nil)
	rec := feedback.New(Type, feedback.KindSurvey, "x")
	_, err := d.Enrich(t.Context(), []feedback.Record{rec})
	require.ErrorIs(t, err, connectors.ErrMalformed)
	out, err := d.Enrich(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, out)
}

func TestEnrichConcurrent(t *testing.T) {
	api := newFakeAPI(t)
	d := enricher(t, api, connectortest.ReceivedAt, nil, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			recs, err := d.Enrich(context.Background(), fixtureRecords(t, d, "response_updated"))
			assert.NoError(t, err)
			assert.Len(t, recs, 1)
		})
	}
	wg.Wait()
}

// oneQuestion is a survey with one question of family/subtype and heading
// whose choices are given as JSON.
func oneQuestion(family, subtype, heading, choices string) string {
	return `{"id":"9","title":"T","pages":[{"id":"1","questions":[{"id":"q1","family":"` + family + `","subtype":"` + subtype + `",` +
		`"headings":[{"heading":"` + heading + `"}],"answers":{"rows":[{"id":"r1","text":""}],"choices":[` + choices + `]}}]}]}`
}

// nps11 are SurveyMonkey's question-bank NPS choices: a matrix rating of
// 11 choices, "Not at all likely - 0" … "Extremely likely - 10", weighted
// -100, 0 and 100; texts or weights alone are enough.
func nps11(text func(i int) string, weight func(i int) string) string {
	var cs []string
	for i := range 11 {
		c := fmt.Sprintf(`{"id":"c%d","position":%d,"text":%q`, i, i+1, text(i))
		if w := weight(i); w != "" {
			c += `,"weight":` + w
		}
		cs = append(cs, c+"}")
	}
	return strings.Join(cs, ",")
}

func TestEnrichScales(t *testing.T) {
	npsWeight := func(i int) string {
		switch {
		case i >= 9:
			return "100"
		case i >= 7:
			return "0"
		}
		return "-100"
	}
	none := func(int) string { return "" }
	const recommend = "How likely are you to recommend us?"
	digits := func(i int) string { return strconv.Itoa(i) }
	tests := []struct {
		name    string
		family  string // default matrix/rating
		heading string // default recommend
		choices string
		pick    string
		want    *feedback.Score
	}{
		{"question-bank NPS by text", "", "", nps11(func(i int) string { return fmt.Sprintf("Likely - %d", i) }, none), "c10",
			&feedback.Score{Type: feedback.ScoreNPS, Value: 10, Min: 0, Max: 10, Normalized: 1, NPSCategory: feedback.NPSPromoter}},
		{"question-bank NPS by weight", "", "", nps11(func(int) string { return "" }, npsWeight), "c6",
			&feedback.Score{Type: feedback.ScoreNPS, Value: 6, Min: 0, Max: 10, Normalized: 0.6, NPSCategory: feedback.NPSDetractor}},
		{"11 choices that are not NPS stay a rating", "", "", nps11(func(i int) string { return fmt.Sprintf("Level %d", i+1) }, none), "c0",
			&feedback.Score{Type: feedback.ScoreRating, Value: 1, Min: 1, Max: 11, Normalized: 0}},
		{"N/A is left off the scale", "", "", `{"id":"a","position":1,"text":"Poor"},{"id":"b","position":2,"text":"Fair"},{"id":"c","position":3,"text":"Good"},{"id":"na","position":4,"text":"N/A","is_na":true}`, "c",
			&feedback.Score{Type: feedback.ScoreRating, Value: 3, Min: 1, Max: 3, Normalized: 1}},
		{"a single choice of 0..10 is no score", "single_choice/vertical", "", nps11(digits, none), "c3", nil},
		{"a 0..10 satisfaction rating without weights stays a rating", "", "How satisfied are you?", nps11(digits, none), "c3",
			&feedback.Score{Type: feedback.ScoreRating, Value: 4, Min: 1, Max: 11, Normalized: 0.3}},
		{"N/A picked gives no score", "", "", `{"id":"a","position":1,"text":"Poor"},{"id":"b","position":2,"text":"Fair"},{"id":"na","position":3,"text":"N/A","is_na":true}`, "na", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var det surveyDetails
			family, subtype, _ := strings.Cut(cmp.Or(tt.family, "matrix/rating"), "/")
			require.NoError(t, json.Unmarshal([]byte(oneQuestion(family, subtype, cmp.Or(tt.heading, recommend), tt.choices)), &det))
			var resp responseDetails
			require.NoError(t, json.Unmarshal([]byte(`{"id":"5","pages":[{"id":"1","questions":[{"id":"q1","answers":[{"row_id":"r1","choice_id":"`+tt.pick+`"}]}]}]}`), &resp))
			var rec feedback.Record
			applyAnswers(&rec, newSurvey(&det), &resp)
			assert.Equal(t, tt.want, rec.Score)
		})
	}
}
