package trustpilot

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi/pollertest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

const (
	unit     = "4bdc3d9f000064000505a4f1"
	sourceID = "trustpilot-acme"
	apiKey   = "tp-test-key"
)

func pollerConfig(base string) connectors.PollerConfig {
	return connectors.PollerConfig{
		Type: Type, ID: sourceID, BaseURL: base,
		Params:  map[string]string{ParamBusinessUnitID: unit},
		Secrets: map[string]string{RoleAPIKey: apiKey},
	}
}

func newTestPoller(t testing.TB, cfg connectors.PollerConfig) *poller {
	t.Helper()
	p, err := NewPollerFactory().New(cfg, pollertest.Settings())
	require.NoError(t, err)
	return p.(*poller)
}

func readPage(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pages", name))
	require.NoError(t, err)
	return b
}

// api is a fake Trustpilot API serving page<N>.json, or an empty page.
type api struct {
	*pollertest.Server
	mu        sync.Mutex
	overrides map[string][]byte
}

func newAPI(t *testing.T) *api {
	a := &api{overrides: map[string][]byte{}}
	a.Server = pollertest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("apikey") != apiKey || r.URL.Query().Has("apikey") {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"fault":{"faultstring":"Invalid ApiKey","detail":{"errorcode":"oauth.v2.InvalidApiKey"}}}`))
			return
		}
		q := r.URL.Query()
		if r.URL.Path != "/v1/business-units/"+unit+"/reviews" || q.Get("perPage") != "100" || q.Get("orderBy") != "createdat.desc" {
			http.NotFound(w, r)
			return
		}
		name := "page" + q.Get("page") + ".json"
		a.mu.Lock()
		b, ok := a.overrides[name]
		a.mu.Unlock()
		if ok {
			_, _ = w.Write(b)
			return
		}
		if _, err := os.Stat(filepath.Join("testdata", "pages", name)); err != nil {
			_, _ = w.Write([]byte(`{"reviews":[],"links":[]}`))
			return
		}
		pollertest.File(w, filepath.Join("testdata", "pages", name))
	}))
	return a
}

func (a *api) set(name string, body []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.overrides[name] = body
}

func TestPollerFactory(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(wd), NewPollerFactory().Type)
	assert.Equal(t, NewFactory().Type, NewPollerFactory().Type, "one type for the webhook and the poller")
}

func TestNewPollerRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *connectors.PollerConfig)
		want string
	}{
		{"no unit", func(c *connectors.PollerConfig) { delete(c.Params, ParamBusinessUnitID) }, "params.business_unit_id"},
		{"domain instead of id", func(c *connectors.PollerConfig) { c.Params[ParamBusinessUnitID] = "acme.example" }, "GET /v1/business-units/find"},
		{"bad language", func(c *connectors.PollerConfig) { c.Params[ParamLanguage] = "English" }, "params.language"},
		{"unknown param", func(c *connectors.PollerConfig) { c.Params["stars"] = "1" }, "params stars: unknown"},
		{"no key", func(c *connectors.PollerConfig) { c.Secrets = nil }, "credentials.api_key: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := pollerConfig("")
			tt.edit(&cfg)
			_, err := NewPollerFactory().New(cfg, pollertest.Settings())
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

type golden struct {
	Next    string            `json:"next"`
	Records []feedback.Record `json:"records"`
}

func TestPageGoldens(t *testing.T) {
	p := newTestPoller(t, pollerConfig(""))
	for _, path := range pollertest.Pages(t, filepath.Join("testdata", "pages")) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			page, err := p.decode(readPage(t, filepath.Base(path)), 1)
			require.NoError(t, err)
			pollertest.CheckPage(t, page, sourceID)
			pollertest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", golden{page.Next, page.Records})
		})
	}
}

func TestWalk(t *testing.T) {
	a := newAPI(t)
	cfg := pollerConfig(a.URL)
	cfg.Params[ParamLanguage] = "all"
	pages := pollertest.Walk(t, newTestPoller(t, cfg), sourceID, 5)
	require.Len(t, pages, 2, "page 2 has no next-page link")
	assert.Equal(t, []string{
		"/v1/business-units/" + unit + "/reviews?language=all&orderBy=createdat.desc&page=1&perPage=100",
		"/v1/business-units/" + unit + "/reviews?language=all&orderBy=createdat.desc&page=2&perPage=100",
	}, a.URIs())
	recs := pollertest.Records(pages)
	require.Len(t, recs, 5)
	byEvent := map[string]feedback.Record{}
	for _, r := range recs {
		byEvent[r.EventID] = r
		b, _ := json.Marshal(r)
		for _, name := range []string{"Ana", "Marek", "Kasia", "J. Smith"} {
			assert.NotContains(t, string(b), name)
		}
	}
	edited := byEvent["65e0aa0000000000000000aa@1741003200"]
	assert.Equal(t, time.Date(2025, 2, 28, 8, 0, 0, 0, time.UTC), edited.OccurredAt, "occurred_at is createdAt")
	assert.Equal(t, edited.ID, recs[0].ID, "the updated review has the highest version")
	replied := byEvent["65e1a7700000000000000002@1740843000"]
	assert.Equal(t, map[string]string{
		"business_unit_id": unit, "language": "en", "verified": "false", "reply": "true", "location_id": "43f51215-a1fc-4c60-b6dd-e4afb6d7b831",
	}, replied.Attributes)
	assert.Equal(t, "5f1c0a9b8c7d6e5f4a3b2c2e", replied.Customer.ID)
}

func TestNextWithoutLinks(t *testing.T) {
	p := newTestPoller(t, pollerConfig(""))
	var reviews []string
	for i := range perPage {
		reviews = append(reviews, `{"id":"r`+strings.Repeat("0", 3)+string(rune('a'+i%26))+string(rune('a'+i/26))+`","stars":4,"createdAt":"2025-03-02T10:01:12Z"}`)
	}
	full := `{"reviews":[` + strings.Join(reviews, ",") + `]}`
	page, err := p.decode([]byte(full), 3)
	require.NoError(t, err)
	assert.Equal(t, "4", page.Next, "a full page without links: there may be more")
	page, err = p.decode([]byte(`{"reviews":[{"id":"a","createdAt":"2025-03-02T10:01:12Z"}]}`), 3)
	require.NoError(t, err)
	assert.Empty(t, page.Next)
	page, err = p.decode([]byte(`{"reviews":[]}`), 3)
	require.NoError(t, err)
	assert.Empty(t, page.Next)
}

// Trustpilot's documentation samples write times without a zone; they are
// read as UTC. Other forms stay malformed.
func TestZonelessTimes(t *testing.T) {
	p := newTestPoller(t, pollerConfig(""))
	page, err := p.decode([]byte(`{"reviews":[{"id":"507f191e810c19729de860ea","stars":4,"createdAt":"2013-09-07T13:37:00","updatedAt":"2013-09-08T10:00:00.5"}]}`), 1)
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	assert.Equal(t, time.Date(2013, 9, 7, 13, 37, 0, 0, time.UTC), page.Records[0].OccurredAt)
	assert.Equal(t, time.Date(2013, 9, 8, 10, 0, 0, 0, time.UTC).Unix(), page.Records[0].Version)
	_, err = p.decode([]byte(`{"reviews":[{"id":"a","createdAt":"07/09/2013 13:37"}]}`), 1)
	require.ErrorIs(t, err, connectors.ErrMalformed)
}

func TestEditedReview(t *testing.T) {
	a := newAPI(t)
	p := newTestPoller(t, pollerConfig(a.URL))
	before, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)
	a.set("page1.json", readPage(t, "page1_edited.json"))
	after, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)
	id := feedback.NewID(sourceID, "65e2f0c1a1b2c3d4e5f60718")
	find := func(recs []feedback.Record) feedback.Record {
		for _, r := range recs {
			if r.ID == id {
				return r
			}
		}
		t.Fatal("review not found")
		return feedback.Record{}
	}
	old, edited := find(before.Records), find(after.Records)
	assert.Greater(t, edited.Version, old.Version)
	assert.Equal(t, old.OccurredAt, edited.OccurredAt)
	assert.Equal(t, "true", edited.Attributes["reply"])
	assert.Equal(t, id, after.Records[0].ID, "now the newest version on the page")
}

func TestRetriesAndFailures(t *testing.T) {
	t.Run("429 with Retry-After", func(t *testing.T) {
		a := newAPI(t)
		a.Fail(pollertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
		start := time.Now()
		page, err := newTestPoller(t, pollerConfig(a.URL)).Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), time.Second)
		assert.Len(t, page.Records, 3)
	})
	t.Run("Retry-After beyond the wait limit is handed to the framework", func(t *testing.T) {
		a := newAPI(t)
		a.Fail(pollertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "300"})
		_, err := newTestPoller(t, pollerConfig(a.URL)).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUpstream)
		var ra interface{ RetryAfter() time.Duration }
		require.ErrorAs(t, err, &ra)
		assert.Equal(t, 5*time.Minute, ra.RetryAfter())
		assert.Equal(t, int32(1), a.Requests.Load())
	})
	t.Run("500 then success", func(t *testing.T) {
		a := newAPI(t)
		a.Fail(pollertest.Fault{Status: http.StatusInternalServerError})
		page, err := newTestPoller(t, pollerConfig(a.URL)).Fetch(t.Context(), "2")
		require.NoError(t, err)
		assert.Len(t, page.Records, 2)
		assert.Equal(t, int32(2), a.Requests.Load())
	})
	t.Run("401", func(t *testing.T) {
		a := newAPI(t)
		cfg := pollerConfig(a.URL)
		cfg.Secrets[RoleAPIKey] = "revoked"
		_, err := newTestPoller(t, cfg).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
		connectortest.RequireSentinel(t, err)
		assert.NotContains(t, err.Error(), "revoked")
	})
	t.Run("invalid page tokens", func(t *testing.T) {
		a := newAPI(t)
		p := newTestPoller(t, pollerConfig(a.URL))
		for _, tok := range []string{"0", "x", "01", "10001"} {
			_, err := p.Fetch(t.Context(), tok)
			require.ErrorIs(t, err, connectors.ErrMalformed, tok)
		}
		assert.Equal(t, int32(0), a.Requests.Load())
	})
}

func TestMalformedPage(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":      `<!doctype html>`,
		"no reviews":    `{"links":[]}`,
		"stars 6":       `{"reviews":[{"id":"a","stars":6,"createdAt":"2025-03-02T10:01:12Z"}]}`,
		"no createdAt":  `{"reviews":[{"id":"a","stars":3}]}`,
		"id with space": `{"reviews":[{"id":"a b","createdAt":"2025-03-02T10:01:12Z"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			a := newAPI(t)
			a.set("page2.json", []byte(body))
			page, err := newTestPoller(t, pollerConfig(a.URL)).Fetch(t.Context(), "2")
			pollertest.RequireMalformed(t, page, err, []byte(body))
			assert.Equal(t, "3", page.Next, "dead-letter page 2, go on with 3")
		})
	}
}
