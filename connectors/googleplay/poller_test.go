package googleplay

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
	"github.com/corridorhq/corridor/connectors/internal/googleauth"
	"github.com/corridorhq/corridor/connectors/internal/googleauth/googleauthtest"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi/pollertest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

const (
	pkg      = "com.acme.notes"
	sourceID = "play-acme-notes"
)

func config(base string, tokens *googleauthtest.Server) connectors.PollerConfig {
	cfg := connectors.PollerConfig{
		Type: Type, ID: sourceID, BaseURL: base,
		Params: map[string]string{ParamPackageName: pkg},
	}
	if tokens != nil {
		cfg.Secrets = map[string]string{RoleServiceAccountJSON: string(tokens.ServiceAccountJSON())}
	}
	return cfg
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

// api is a fake Google Play Developer API: page1.json first, page2.json for
// its nextPageToken; overrides replace a page's body. It requires a token
// from the fake token endpoint.
type api struct {
	*pollertest.Server
	tokens    *googleauthtest.Server
	mu        sync.Mutex
	overrides map[string][]byte
}

func newAPI(t *testing.T) *api {
	a := &api{tokens: googleauthtest.NewServer(t, googleauth.ScopeAndroidPublisher), overrides: map[string][]byte{}}
	a.Server = pollertest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ya29.test-token-") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/androidpublisher/v3/applications/"+pkg+"/reviews" || r.URL.Query().Get("maxResults") != "100" {
			http.NotFound(w, r)
			return
		}
		name := "page1.json"
		if tok := r.URL.Query().Get("token"); tok != "" {
			if tok != "CjYKFGdwOkFPcXBUT0h6NVhjN1ZiOU5tMUxr" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			name = "page2.json"
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

func (a *api) poller(t *testing.T) *poller { return newTestPoller(t, config(a.URL, a.tokens)) }

func TestFactory(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(wd), NewPollerFactory().Type)
}

func TestNewRejects(t *testing.T) {
	tokens := googleauthtest.NewServer(t, googleauth.ScopeAndroidPublisher)
	tests := []struct {
		name string
		edit func(c *connectors.PollerConfig)
		want string
	}{
		{"no package", func(c *connectors.PollerConfig) { delete(c.Params, ParamPackageName) }, "package_name"},
		{"bad package", func(c *connectors.PollerConfig) { c.Params[ParamPackageName] = "notes" }, "Android package name"},
		{"path in package", func(c *connectors.PollerConfig) { c.Params[ParamPackageName] = "com.acme/../x" }, "Android package name"},
		{"unknown param", func(c *connectors.PollerConfig) { c.Params["app_id"] = pkg }, "params app_id: unknown"},
		{"no credentials", func(c *connectors.PollerConfig) { c.Secrets = nil }, "service_account_json: missing"},
		{"bad credentials", func(c *connectors.PollerConfig) { c.Secrets[RoleServiceAccountJSON] = `{"type":"external_account"}` }, "want service_account or authorized_user"},
		{"plain http token url", func(c *connectors.PollerConfig) { c.Params[ParamTokenURL] = "http://oauth.example/token" }, "must be https"},
		{"bad base url", func(c *connectors.PollerConfig) { c.BaseURL = "androidpublisher.googleapis.com" }, "base_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config("", tokens)
			tt.edit(&cfg)
			_, err := NewPollerFactory().New(cfg, pollertest.Settings())
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
			assert.NotContains(t, err.Error(), "PRIVATE KEY")
		})
	}
}

type golden struct {
	Next    string            `json:"next"`
	Records []feedback.Record `json:"records"`
}

func TestPageGoldens(t *testing.T) {
	tokens := googleauthtest.NewServer(t, googleauth.ScopeAndroidPublisher)
	p := newTestPoller(t, config("", tokens))
	for _, path := range pollertest.Pages(t, filepath.Join("testdata", "pages")) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			body := readPage(t, filepath.Base(path))
			page, err := p.decode(body)
			require.NoError(t, err)
			pollertest.CheckPage(t, page, sourceID)
			pollertest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", golden{page.Next, page.Records})
		})
	}
}

func TestWalk(t *testing.T) {
	a := newAPI(t)
	pages := pollertest.Walk(t, a.poller(t), sourceID, 5)
	require.Len(t, pages, 2)
	assert.Equal(t, []string{
		"/androidpublisher/v3/applications/com.acme.notes/reviews?maxResults=100",
		"/androidpublisher/v3/applications/com.acme.notes/reviews?maxResults=100&token=CjYKFGdwOkFPcXBUT0h6NVhjN1ZiOU5tMUxr",
	}, a.URIs())
	assert.Equal(t, int32(1), a.tokens.Calls.Load(), "the OAuth token is cached across pages")
	assert.Equal(t, []string{"Bearer " + googleauthtest.Token(1), "Bearer " + googleauthtest.Token(1)}, a.Authorizations())

	recs := pollertest.Records(pages)
	require.Len(t, recs, 4)
	assert.Equal(t, "gp:AOqpTOF2c8vKx1Lk9mQ0bN3rT5yU7wZ@1740909672", recs[0].EventID)
	assert.Equal(t, "Battery drain after update", recs[0].Text, "a leading tab means no title")
	assert.Equal(t, "Sync broken\nMy notes stopped syncing to the tablet. Please fix.", recs[1].Text)
	assert.Equal(t, map[string]string{
		"app_id": pkg, "reply": "true", "language": "it", "app_version": "4.2.0", "device": "OnePlus9", "android_os_version": "33",
	}, recs[1].Attributes)
	assert.Equal(t, "false", recs[0].Attributes["reply"])
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), recs[0].OccurredAt)
	for _, r := range recs {
		b, _ := json.Marshal(r)
		assert.NotContains(t, string(b), "Jane B.")
		assert.NotContains(t, string(b), "Marco R.")
		assert.Empty(t, r.Customer.ID, "the API has no reviewer id")
	}
}

func TestEditedReview(t *testing.T) {
	a := newAPI(t)
	p := a.poller(t)
	before, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)
	a.set("page1.json", readPage(t, "page1_edited.json"))
	after, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)

	id := feedback.NewID(sourceID, "gp:AOqpTOGk3Hn8Qw2Er5Ty7Ui9Op1As4Df")
	var old, edited feedback.Record
	for _, r := range before.Records {
		if r.ID == id {
			old = r
		}
	}
	edited = after.Records[0]
	require.Equal(t, id, old.ID)
	assert.Equal(t, id, edited.ID, "same review, same record")
	assert.Greater(t, edited.Version, old.Version)
	assert.Equal(t, int64(1741100000), edited.Version, "version is lastModified.seconds")
	assert.Equal(t, "Fixed\nThe update fixed syncing. Thanks!", edited.Text)
}

func TestRetriesAndFailures(t *testing.T) {
	t.Run("429 with Retry-After", func(t *testing.T) {
		a := newAPI(t)
		a.Fail(pollertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
		start := time.Now()
		page, err := a.poller(t).Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), time.Second)
		assert.Len(t, page.Records, 3)
	})
	t.Run("500 then success", func(t *testing.T) {
		a := newAPI(t)
		a.Fail(pollertest.Fault{Status: http.StatusInternalServerError})
		page, err := a.poller(t).Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.Len(t, page.Records, 3)
		assert.Equal(t, int32(2), a.Requests.Load())
	})
	t.Run("401 drops the cached token", func(t *testing.T) {
		a := newAPI(t)
		p := a.poller(t)
		a.Fail(pollertest.Fault{Status: http.StatusUnauthorized, Body: `{"error":{"code":401,"status":"UNAUTHENTICATED"}}`})
		page, err := p.Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
		connectortest.RequireSentinel(t, err)
		assert.Empty(t, page.Records)
		_, err = p.Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.Equal(t, int32(2), a.tokens.Calls.Load(), "a new token after the 401")
	})
	t.Run("token endpoint refuses the key", func(t *testing.T) {
		a := newAPI(t)
		a.tokens.Refuse.Store(true)
		_, err := a.poller(t).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
		connectortest.RequireSentinel(t, err)
		assert.Equal(t, int32(0), a.Requests.Load(), "the API is not called without a token")
	})
	t.Run("expired page token", func(t *testing.T) {
		a := newAPI(t)
		_, err := a.poller(t).Fetch(t.Context(), "stale")
		require.ErrorIs(t, err, connectors.ErrUpstream)
		assert.ErrorContains(t, err, "400 Bad Request")
	})
	t.Run("invalid page token", func(t *testing.T) {
		a := newAPI(t)
		_, err := a.poller(t).Fetch(t.Context(), "a\nb")
		require.ErrorIs(t, err, connectors.ErrMalformed)
		assert.Equal(t, int32(0), a.Requests.Load())
	})
}

func TestMalformedPage(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":           `<html>502</html>`,
		"reviews not a list": `{"reviews":{}}`,
		"no review id":       `{"reviews":[{"comments":[{"userComment":{"text":"x","lastModified":{"seconds":"1740909672"}}}]}]}`,
		"no lastModified":    `{"reviews":[{"reviewId":"gp:1","comments":[{"userComment":{"text":"x","starRating":3}}]}]}`,
		"rating 6":           `{"reviews":[{"reviewId":"gp:1","comments":[{"userComment":{"text":"x","starRating":6,"lastModified":{"seconds":"1740909672"}}}]}]}`,
		"seconds not number": `{"reviews":[{"reviewId":"gp:1","comments":[{"userComment":{"text":"x","lastModified":{"seconds":"soon"}}}]}]}`,
		"bad next token":     `{"reviews":[],"tokenPagination":{"nextPageToken":"a\u0000b"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			a := newAPI(t)
			a.set("page1.json", []byte(body))
			page, err := a.poller(t).Fetch(t.Context(), "")
			pollertest.RequireMalformed(t, page, err, []byte(body))
			assert.Empty(t, page.Next)
		})
	}
}

func TestReviewWithoutUserCommentSkipped(t *testing.T) {
	p := newTestPoller(t, config("", googleauthtest.NewServer(t, googleauth.ScopeAndroidPublisher)))
	page, err := p.decode([]byte(`{"reviews":[{"reviewId":"gp:1","comments":[{"developerComment":{"text":"hi"}}]}]}`))
	require.NoError(t, err)
	assert.Empty(t, page.Records)
	assert.Empty(t, page.Next)
}
