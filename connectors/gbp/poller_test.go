package gbp

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
	accountID  = "1098765432101234567"
	locationID = "4455667788990011223"
	sourceID   = "gbp-leeds"
	nextToken  = "ChAIARIMCgoKBgigq5O-BhAAGgYI6L7T_Q0"
	reviewPath = "/v4/accounts/" + accountID + "/locations/" + locationID + "/reviews"
)

func config(base string, tokens *googleauthtest.Server) connectors.PollerConfig {
	cfg := connectors.PollerConfig{
		Type: Type, ID: sourceID, BaseURL: base,
		Params: map[string]string{ParamAccountID: accountID, ParamLocationID: locationID, ParamLocation: "leeds"},
	}
	if tokens != nil {
		cfg.Secrets = map[string]string{RoleAuthorizedUserJSON: string(tokens.AuthorizedUserJSON())}
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

// api is a fake My Business API serving page1.json, then page2.json for
// its nextPageToken.
type api struct {
	*pollertest.Server
	tokens    *googleauthtest.Server
	mu        sync.Mutex
	overrides map[string][]byte
}

func newAPI(t *testing.T) *api {
	a := &api{tokens: googleauthtest.NewServer(t, googleauth.ScopeBusinessManage), overrides: map[string][]byte{}}
	a.Server = pollertest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ya29.test-token-") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		q := r.URL.Query()
		if r.URL.Path != reviewPath || q.Get("pageSize") != "50" || q.Get("orderBy") != "updateTime desc" {
			http.NotFound(w, r)
			return
		}
		name := "page1.json"
		switch q.Get("pageToken") {
		case "":
		case nextToken:
			name = "page2.json"
		default:
			w.WriteHeader(http.StatusBadRequest)
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

func (a *api) poller(t *testing.T) *poller { return newTestPoller(t, config(a.URL, a.tokens)) }

func TestFactory(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(wd), NewPollerFactory().Type)
}

func TestNewRejects(t *testing.T) {
	tokens := googleauthtest.NewServer(t, googleauth.ScopeBusinessManage)
	tests := []struct {
		name string
		edit func(c *connectors.PollerConfig)
		want string
	}{
		{"no account", func(c *connectors.PollerConfig) { delete(c.Params, ParamAccountID) }, "params.account_id"},
		{"resource name instead of id", func(c *connectors.PollerConfig) { c.Params[ParamLocationID] = "locations/1" }, "params.location_id"},
		{"unknown param", func(c *connectors.PollerConfig) { c.Params["location_name"] = "leeds" }, "params location_name: unknown"},
		{"no credentials", func(c *connectors.PollerConfig) { c.Secrets = nil }, "authorized_user_json (a user's OAuth client and refresh token) or service_account_json is required"},
		{"both credentials", func(c *connectors.PollerConfig) {
			c.Secrets[RoleServiceAccountJSON] = string(tokens.ServiceAccountJSON())
		}, "not both"},
		{"bad credentials", func(c *connectors.PollerConfig) { c.Secrets[RoleAuthorizedUserJSON] = "{}" }, "credentials.authorized_user_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config("", tokens)
			tt.edit(&cfg)
			_, err := NewPollerFactory().New(cfg, pollertest.Settings())
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
			assert.NotContains(t, err.Error(), googleauthtest.RefreshToken)
		})
	}
}

type golden struct {
	Next    string            `json:"next"`
	Records []feedback.Record `json:"records"`
}

func TestPageGoldens(t *testing.T) {
	p := newTestPoller(t, config("", googleauthtest.NewServer(t, googleauth.ScopeBusinessManage)))
	for _, path := range pollertest.Pages(t, filepath.Join("testdata", "pages")) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			page, err := p.decode(readPage(t, filepath.Base(path)))
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
		reviewPath + "?orderBy=updateTime+desc&pageSize=50",
		reviewPath + "?orderBy=updateTime+desc&pageSize=50&pageToken=" + nextToken,
	}, a.URIs())
	assert.Equal(t, int32(1), a.tokens.Calls.Load())
	recs := pollertest.Records(pages)
	require.Len(t, recs, 4)
	for _, r := range recs {
		assert.Equal(t, "leeds", r.Location, "one location, one location value")
		b, _ := json.Marshal(r)
		assert.NotContains(t, string(b), "Ana Lopez")
		assert.NotContains(t, string(b), "googleusercontent")
	}
	assert.Equal(t, "AbFvOqmKz1Xn0aB7cD9eF2gH4iJ6kL8mN0pQ@1740909672", recs[0].EventID)
	assert.InDelta(t, 2, recs[0].Score.Value, 0)
	assert.Equal(t, map[string]string{"account_id": accountID, "location_id": locationID, "reply": "false"}, recs[0].Attributes)
	assert.Equal(t, "true", recs[1].Attributes["reply"])
	assert.Equal(t, time.Date(2025, 3, 1, 8, 30, 0, 0, time.UTC), recs[1].OccurredAt, "occurred_at is createTime")
	assert.Equal(t, time.Date(2025, 3, 1, 9, 15, 42, 0, time.UTC).Unix(), recs[1].Version, "version is updateTime")
	assert.Empty(t, recs[2].Text, "a rating without a comment")
	assert.Nil(t, recs[3].Score, "STAR_RATING_UNSPECIFIED has no score")
}

func TestServiceAccountCredentials(t *testing.T) {
	a := newAPI(t)
	cfg := config(a.URL, nil)
	cfg.Secrets = map[string]string{RoleServiceAccountJSON: string(a.tokens.ServiceAccountJSON())}
	page, err := newTestPoller(t, cfg).Fetch(t.Context(), "")
	require.NoError(t, err)
	assert.Len(t, page.Records, 3)
}

func TestEditedReview(t *testing.T) {
	a := newAPI(t)
	p := a.poller(t)
	before, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)
	a.set("page1.json", readPage(t, "page1_edited.json"))
	after, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)
	old, edited := before.Records[0], after.Records[0]
	assert.Equal(t, old.ID, edited.ID)
	assert.Greater(t, edited.Version, old.Version)
	assert.Equal(t, old.OccurredAt, edited.OccurredAt, "createTime does not move")
	assert.Equal(t, "true", edited.Attributes["reply"])
	assert.InDelta(t, 4, edited.Score.Value, 0)
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
		_, err := a.poller(t).Fetch(t.Context(), nextToken)
		require.NoError(t, err)
		assert.Equal(t, int32(2), a.Requests.Load())
	})
	t.Run("401", func(t *testing.T) {
		a := newAPI(t)
		p := a.poller(t)
		a.Fail(pollertest.Fault{Status: http.StatusUnauthorized})
		_, err := p.Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
		connectortest.RequireSentinel(t, err)
		_, err = p.Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.Equal(t, int32(2), a.tokens.Calls.Load(), "the refused token is not reused")
	})
	t.Run("403 location not managed", func(t *testing.T) {
		a := newAPI(t)
		a.Fail(pollertest.Fault{Status: http.StatusForbidden, Body: `{"error":{"code":403,"status":"PERMISSION_DENIED"}}`})
		_, err := a.poller(t).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
	})
	t.Run("refresh token revoked", func(t *testing.T) {
		a := newAPI(t)
		cfg := config(a.URL, nil)
		var m map[string]string
		require.NoError(t, json.Unmarshal(a.tokens.AuthorizedUserJSON(), &m))
		m["refresh_token"] = "revoked"
		b, _ := json.Marshal(m)
		cfg.Secrets = map[string]string{RoleAuthorizedUserJSON: string(b)}
		_, err := newTestPoller(t, cfg).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
		assert.Equal(t, int32(0), a.Requests.Load())
	})
}

func TestMalformedPage(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":        `upstream connect error`,
		"reviews object":  `{"reviews":{"reviewId":"x"}}`,
		"no review id":    `{"reviews":[{"starRating":"ONE","updateTime":"2025-03-02T10:01:12Z"}]}`,
		"unknown stars":   `{"reviews":[{"reviewId":"x","starRating":"SIX","updateTime":"2025-03-02T10:01:12Z"}]}`,
		"numeric stars":   `{"reviews":[{"reviewId":"x","starRating":5,"updateTime":"2025-03-02T10:01:12Z"}]}`,
		"no times":        `{"reviews":[{"reviewId":"x","starRating":"ONE"}]}`,
		"bad time":        `{"reviews":[{"reviewId":"x","starRating":"ONE","updateTime":"March 2nd"}]}`,
		"bad next token":  `{"reviews":[],"nextPageToken":"a\tb"}`,
		"reviewId number": `{"reviews":[{"reviewId":12,"updateTime":"2025-03-02T10:01:12Z"}]}`,
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

func TestCreateTimeOnly(t *testing.T) {
	p := newTestPoller(t, config("", googleauthtest.NewServer(t, googleauth.ScopeBusinessManage)))
	page, err := p.decode([]byte(`{"reviews":[{"reviewId":"x","starRating":"THREE","createTime":"2025-03-02T10:01:12Z"}]}`))
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC).Unix(), page.Records[0].Version)
}
