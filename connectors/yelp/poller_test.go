package yelp

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
	business = "acme-coffee-leeds"
	sourceID = "yelp-acme-leeds"
	apiKey   = "yelp-test-key"
)

func config(base string, params map[string]string) connectors.PollerConfig {
	p := map[string]string{ParamBusinessID: business}
	for k, v := range params {
		p[k] = v
	}
	return connectors.PollerConfig{
		Type: Type, ID: sourceID, BaseURL: base, Params: p,
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

// api is a fake Fusion API: offset 0 is page1.json, offset 3 page2.json.
type api struct {
	*pollertest.Server
	mu        sync.Mutex
	overrides map[string][]byte
}

func newAPI(t *testing.T) *api {
	a := &api{overrides: map[string][]byte{}}
	a.Server = pollertest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+apiKey {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"TOKEN_INVALID","description":"Invalid access token or authorization header."}}`))
			return
		}
		q := r.URL.Query()
		if r.URL.Path != "/v3/businesses/"+business+"/reviews" || q.Get("sort_by") != "newest" {
			http.NotFound(w, r)
			return
		}
		name := map[string]string{"0": "page1.json", "3": "page2.json"}[q.Get("offset")]
		if name == "" {
			_, _ = w.Write([]byte(`{"reviews":[],"total":812,"possible_languages":["en"]}`))
			return
		}
		a.mu.Lock()
		b, ok := a.overrides[name]
		a.mu.Unlock()
		if ok {
			_, _ = w.Write(b)
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

func TestFactory(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(wd), NewPollerFactory().Type)
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *connectors.PollerConfig)
		want string
	}{
		{"no business", func(c *connectors.PollerConfig) { delete(c.Params, ParamBusinessID) }, "params.business_id"},
		{"business with a slash", func(c *connectors.PollerConfig) { c.Params[ParamBusinessID] = "acme/../x" }, "params.business_id"},
		{"limit too high", func(c *connectors.PollerConfig) { c.Params[ParamLimit] = "51" }, "params.limit"},
		{"limit not a number", func(c *connectors.PollerConfig) { c.Params[ParamLimit] = "three" }, "params.limit"},
		{"bad locale", func(c *connectors.PollerConfig) { c.Params[ParamLocale] = "english" }, "params.locale"},
		{"unknown param", func(c *connectors.PollerConfig) { c.Params["sort_by"] = "rating" }, "params sort_by: unknown"},
		{"no key", func(c *connectors.PollerConfig) { c.Secrets = nil }, "credentials.api_key: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config("", nil)
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
	p := newTestPoller(t, config("", map[string]string{ParamLimit: "3"}))
	for _, path := range pollertest.Pages(t, filepath.Join("testdata", "pages")) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			page, err := p.decode(readPage(t, filepath.Base(path)), 0)
			require.NoError(t, err)
			pollertest.CheckPage(t, page, sourceID)
			pollertest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", golden{page.Next, page.Records})
		})
	}
}

func TestTimeCreatedIsPacific(t *testing.T) {
	p := newTestPoller(t, config("", nil))
	page, err := p.decode(readPage(t, "page1.json"), 0)
	require.NoError(t, err)
	byID := map[string]feedback.Record{}
	for _, r := range page.Records {
		byID[r.EventID[:strings.IndexByte(r.EventID, '@')]] = r
	}
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), byID["xAG4O7l-t1ubbwVAlPnDKg"].OccurredAt, "PST is UTC-8")
	assert.Equal(t, time.Date(2025, 3, 10, 1, 30, 0, 0, time.UTC), byID["1JNmYjJgpWwM7J7o5g4yDA"].OccurredAt, "PDT (from 9 March) is UTC-7")
}

func TestWalk(t *testing.T) {
	t.Run("a basic plan: one page", func(t *testing.T) {
		a := newAPI(t)
		pages := pollertest.Walk(t, newTestPoller(t, config(a.URL, nil)), sourceID, 5)
		require.Len(t, pages, 1, "three reviews when fifty were asked for: no more pages")
		assert.Equal(t, []string{"/v3/businesses/" + business + "/reviews?limit=50&offset=0&sort_by=newest"}, a.URIs())
	})
	t.Run("offsets", func(t *testing.T) {
		a := newAPI(t)
		pages := pollertest.Walk(t, newTestPoller(t, config(a.URL, map[string]string{ParamLimit: "3", ParamLocale: "en_GB"})), sourceID, 5)
		require.Len(t, pages, 2)
		assert.Equal(t, "3", pages[0].Next)
		assert.Equal(t, []string{
			"/v3/businesses/" + business + "/reviews?limit=3&locale=en_GB&offset=0&sort_by=newest",
			"/v3/businesses/" + business + "/reviews?limit=3&locale=en_GB&offset=3&sort_by=newest",
		}, a.URIs())
		recs := pollertest.Records(pages)
		require.Len(t, recs, 5)
		first := recs[0]
		assert.Equal(t, "s1ldUFkZt2AwbYGzlPjj3A", first.Customer.ID)
		assert.Equal(t, "true", first.Attributes["excerpt"])
		assert.Equal(t, business, first.Attributes["business_id"])
		assert.True(t, strings.HasPrefix(first.Attributes["url"], "https://www.yelp.com/biz/acme-coffee-leeds?"))
		for _, r := range recs {
			b, _ := json.Marshal(r)
			for _, s := range []string{"Ana L.", "Ben T.", "user_details", "yelpcdn"} {
				assert.NotContains(t, string(b), s)
			}
		}
	})
}

func TestEditedReview(t *testing.T) {
	a := newAPI(t)
	p := newTestPoller(t, config(a.URL, nil))
	before, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)
	a.set("page1.json", readPage(t, "page1_edited.json"))
	after, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)
	id := feedback.NewID(sourceID, "xAG4O7l-t1ubbwVAlPnDKg")
	var old, edited feedback.Record
	for _, r := range before.Records {
		if r.ID == id {
			old = r
		}
	}
	for _, r := range after.Records {
		if r.ID == id {
			edited = r
		}
	}
	require.Equal(t, id, old.ID)
	require.Equal(t, id, edited.ID)
	assert.Greater(t, edited.Version, old.Version, "Yelp dates an updated review by the update")
	assert.InDelta(t, 4, edited.Score.Value, 0)
}

func TestRetriesAndFailures(t *testing.T) {
	t.Run("429 with Retry-After", func(t *testing.T) {
		a := newAPI(t)
		a.Fail(pollertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1", Body: `{"error":{"code":"TOO_MANY_REQUESTS_PER_SECOND"}}`})
		start := time.Now()
		page, err := newTestPoller(t, config(a.URL, nil)).Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), time.Second)
		assert.Len(t, page.Records, 3)
	})
	t.Run("500 then success", func(t *testing.T) {
		a := newAPI(t)
		a.Fail(pollertest.Fault{Status: http.StatusInternalServerError})
		page, err := newTestPoller(t, config(a.URL, nil)).Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.Len(t, page.Records, 3)
		assert.Equal(t, int32(2), a.Requests.Load())
	})
	t.Run("401 wrong key", func(t *testing.T) {
		a := newAPI(t)
		cfg := config(a.URL, nil)
		cfg.Secrets[RoleAPIKey] = "wrong"
		_, err := newTestPoller(t, cfg).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
		connectortest.RequireSentinel(t, err)
		assert.NotContains(t, err.Error(), "wrong")
	})
	t.Run("404 unknown business", func(t *testing.T) {
		a := newAPI(t)
		cfg := config(a.URL, nil)
		cfg.Params[ParamBusinessID] = "nope"
		_, err := newTestPoller(t, cfg).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUpstream)
		assert.ErrorContains(t, err, "404")
	})
	t.Run("invalid offsets", func(t *testing.T) {
		a := newAPI(t)
		p := newTestPoller(t, config(a.URL, nil))
		for _, tok := range []string{"-1", "1000", "x", "03"} {
			_, err := p.Fetch(t.Context(), tok)
			require.ErrorIs(t, err, connectors.ErrMalformed, tok)
		}
		assert.Equal(t, int32(0), a.Requests.Load())
	})
}

func TestMalformedPage(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":         `Bad gateway`,
		"no reviews":       `{"error":{"code":"INTERNAL_ERROR"}}`,
		"no id":            `{"reviews":[{"rating":3,"time_created":"2025-03-02 02:01:12"}],"total":1}`,
		"bad time":         `{"reviews":[{"id":"a","rating":3,"time_created":"2025-03-02T02:01:12Z"}],"total":1}`,
		"rating 0":         `{"reviews":[{"id":"a","rating":0,"time_created":"2025-03-02 02:01:12"}],"total":1}`,
		"rating as string": `{"reviews":[{"id":"a","rating":"3","time_created":"2025-03-02 02:01:12"}],"total":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			a := newAPI(t)
			a.set("page1.json", []byte(body))
			page, err := newTestPoller(t, config(a.URL, nil)).Fetch(t.Context(), "")
			pollertest.RequireMalformed(t, page, err, []byte(body))
		})
	}
}

func TestOffsetCeiling(t *testing.T) {
	p := newTestPoller(t, config("", map[string]string{ParamLimit: "3"}))
	page, err := p.decode(readPage(t, "page1.json"), 996)
	require.NoError(t, err)
	assert.Empty(t, page.Next, "Yelp serves nothing past offset 1000")
}
