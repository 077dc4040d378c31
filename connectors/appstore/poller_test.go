package appstore

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
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
	appID    = "1234567890"
	sourceID = "appstore-acme-us"
	keyID    = "2X9R4HXF34"
	issuerID = "57246542-96fe-1a63-e053-0824d011072a"
)

var (
	keyOnce sync.Once
	testKey *ecdsa.PrivateKey
)

func key(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

// p8 is the key as App Store Connect hands it out (PKCS#8 PEM).
func p8(t testing.TB) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key(t))
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func rssConfig(base string) connectors.PollerConfig {
	return connectors.PollerConfig{
		Type: Type, ID: sourceID, BaseURL: base,
		Params: map[string]string{ParamAppID: appID, ParamCountry: "us"},
	}
}

func connectConfig(t testing.TB, base string) connectors.PollerConfig {
	return connectors.PollerConfig{
		Type: Type, ID: sourceID, BaseURL: base,
		Params:  map[string]string{ParamAppID: appID, ParamSource: SourceConnect},
		Secrets: map[string]string{RoleKeyID: keyID, RoleIssuerID: issuerID, RolePrivateKey: p8(t)},
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

func TestFactory(t *testing.T) {
	f := NewPollerFactory()
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(wd), f.Type)
	require.NotNil(t, f.New)
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *connectors.PollerConfig)
		want string
	}{
		{"no id", func(c *connectors.PollerConfig) { c.ID = "" }, "id: empty"},
		{"wrong type", func(c *connectors.PollerConfig) { c.Type = "yelp" }, `type "yelp"`},
		{"no app id", func(c *connectors.PollerConfig) { delete(c.Params, ParamAppID) }, "app_id"},
		{"app id not numeric", func(c *connectors.PollerConfig) { c.Params[ParamAppID] = "com.acme.notes" }, "numeric"},
		{"no country", func(c *connectors.PollerConfig) { delete(c.Params, ParamCountry) }, "storefront"},
		{"country too long", func(c *connectors.PollerConfig) { c.Params[ParamCountry] = "usa" }, "storefront"},
		{"territory with rss", func(c *connectors.PollerConfig) { c.Params[ParamTerritory] = "USA" }, "only for source connect"},
		{"unknown param", func(c *connectors.PollerConfig) { c.Params["appid"] = "1" }, "params appid: unknown"},
		{"unknown source", func(c *connectors.PollerConfig) { c.Params[ParamSource] = "scrape" }, `"scrape" is not rss or connect`},
		{"base url with query", func(c *connectors.PollerConfig) { c.BaseURL = "https://x.example/?a=1" }, "base_url"},
		{"connect without credentials", func(c *connectors.PollerConfig) { c.Params[ParamSource] = SourceConnect }, "needs key_id, issuer_id and private_key"},
		{"connect with a bad key", func(c *connectors.PollerConfig) {
			c.Params[ParamSource] = SourceConnect
			c.Secrets = map[string]string{RoleKeyID: keyID, RoleIssuerID: issuerID, RolePrivateKey: "not a key"}
		}, "not a PEM block"},
		{"connect with a bad territory", func(c *connectors.PollerConfig) {
			*c = connectConfig(t, "")
			c.Params[ParamTerritory] = "US"
		}, "alpha-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := rssConfig("")
			tt.edit(&cfg)
			_, err := NewPollerFactory().New(cfg, pollertest.Settings())
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
			assert.NotContains(t, err.Error(), "PRIVATE KEY")
		})
	}
}

func TestParseKey(t *testing.T) {
	k, err := parseKey(p8(t))
	require.NoError(t, err)
	assert.True(t, k.Equal(key(t)))

	escaped := strings.ReplaceAll(strings.TrimSpace(p8(t)), "\n", `\n`)
	k, err = parseKey(escaped)
	require.NoError(t, err, "a key kept with literal \\n in an env variable")
	assert.True(t, k.Equal(key(t)))

	sec1, err := x509.MarshalECPrivateKey(key(t))
	require.NoError(t, err)
	_, err = parseKey(string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})))
	require.NoError(t, err)

	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(p384)
	require.NoError(t, err)
	_, err = parseKey(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	assert.ErrorContains(t, err, "want P-256")
}

// verifyJWT checks an App Store Connect token with the public key, as
// Apple does, and returns its claims.
func verifyJWT(t testing.TB, token string, pub *ecdsa.PublicKey) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	require.Len(t, sig, 64, "JOSE ES256 signature is r||s, 64 bytes")
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	require.True(t, ecdsa.Verify(pub, sum[:], r, s), "signature does not verify")
	for i, v := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, v))
	}
	return header, claims
}

func TestToken(t *testing.T) {
	p := newTestPoller(t, connectConfig(t, ""))
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	tok, err := p.token(now)
	require.NoError(t, err)
	header, claims := verifyJWT(t, tok, &key(t).PublicKey)
	assert.Equal(t, map[string]any{"alg": "ES256", "kid": keyID, "typ": "JWT"}, header)
	assert.Equal(t, issuerID, claims["iss"])
	assert.Equal(t, "appstoreconnect-v1", claims["aud"])
	assert.InDelta(t, now.Unix(), claims["iat"], 0)
	exp := int64(claims["exp"].(float64))
	assert.Greater(t, exp, now.Unix())
	assert.LessOrEqual(t, exp-now.Unix(), int64(20*60), "Apple refuses tokens living over 20 minutes")

	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	parts := strings.Split(tok, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	assert.False(t, ecdsa.Verify(&other.PublicKey, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])))
}

// golden is what a page fixture decodes to.
type golden struct {
	Next    string            `json:"next"`
	Records []feedback.Record `json:"records"`
}

func TestPageGoldens(t *testing.T) {
	for _, path := range pollertest.Pages(t, filepath.Join("testdata", "pages")) {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			body := readPage(t, name+".json")
			var (
				page connectors.Page
				err  error
			)
			if strings.HasPrefix(name, "connect") {
				page, err = newTestPoller(t, connectConfig(t, "")).decodeConnect(body)
			} else {
				cfg := rssConfig("")
				if name == "rss_single_entry" {
					cfg.Params[ParamCountry] = "gb"
				}
				page, err = newTestPoller(t, cfg).decodeRSS(body, 1)
			}
			require.NoError(t, err)
			pollertest.CheckPage(t, page, sourceID)
			assert.Equal(t, body, page.Raw)
			pollertest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", golden{page.Next, page.Records})
		})
	}
}

// rssServer serves testdata/pages/rss_page<N>.json for page N, or the
// override set for N.
type rssServer struct {
	*pollertest.Server
	mu        sync.Mutex
	overrides map[string][]byte
}

var rssPath = regexp.MustCompile(`^/us/rss/customerreviews/page=([0-9]+)/id=` + appID + `/sortby=mostrecent/json$`)

func newRSSServer(t *testing.T) *rssServer {
	s := &rssServer{overrides: map[string][]byte{}}
	s.Server = pollertest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := rssPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		b, ok := s.overrides[m[1]]
		s.mu.Unlock()
		if ok {
			_, _ = w.Write(b)
			return
		}
		pollertest.File(w, filepath.Join("testdata", "pages", "rss_page"+m[1]+".json"))
	}))
	return s
}

func (s *rssServer) set(page string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overrides[page] = body
}

func ids(recs []feedback.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.EventID
	}
	return out
}

func TestRSSWalk(t *testing.T) {
	srv := newRSSServer(t)
	p := newTestPoller(t, rssConfig(srv.URL))
	pages := pollertest.Walk(t, p, sourceID, 12)
	require.Len(t, pages, 3, "pages 1 and 2 hold reviews, page 3 is empty")
	assert.Equal(t, []string{"2", "3", ""}, []string{pages[0].Next, pages[1].Next, pages[2].Next})
	assert.Equal(t, []string{
		"/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json",
		"/us/rss/customerreviews/page=2/id=1234567890/sortby=mostrecent/json",
		"/us/rss/customerreviews/page=3/id=1234567890/sortby=mostrecent/json",
	}, srv.URIs())
	recs := pollertest.Records(pages)
	require.Len(t, recs, 5, "the app entry on page 1 is skipped")
	assert.Equal(t, "11223344560@1740906072", recs[0].EventID)
	assert.Equal(t, "440011223", recs[0].Customer.ID)
	assert.Equal(t, "Crashes\nCrashes on launch since the 4.2 update.", recs[0].Text)
	assert.Equal(t, map[string]string{"app_id": appID, "country": "us", "feed": "rss", "app_version": "4.2.0"}, recs[0].Attributes)
	assert.Equal(t, "Best notes app I have used.", recs[2].Text, "no title, no leading newline")
	for _, r := range recs {
		b, _ := json.Marshal(r)
		for _, name := range []string{"skyfan", "notetaker_88", "Pat R.", "mika"} {
			assert.NotContains(t, string(b), name, "reviewer names are personal")
		}
	}
}

func TestRSSStopsAtPageTen(t *testing.T) {
	srv := newRSSServer(t)
	srv.set("10", readPage(t, "rss_page2.json"))
	p := newTestPoller(t, rssConfig(srv.URL))
	page, err := p.Fetch(t.Context(), "10")
	require.NoError(t, err)
	assert.Len(t, page.Records, 2)
	assert.Empty(t, page.Next, "the feed has ten pages")
}

func TestRSSEditedReview(t *testing.T) {
	srv := newRSSServer(t)
	p := newTestPoller(t, rssConfig(srv.URL))
	before, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)
	srv.set("1", readPage(t, "rss_page1_edited.json"))
	after, err := p.Fetch(t.Context(), "")
	require.NoError(t, err)

	find := func(recs []feedback.Record, id string) feedback.Record {
		for _, r := range recs {
			if r.ID == feedback.NewID(sourceID, id) {
				return r
			}
		}
		t.Fatalf("review %s not found", id)
		return feedback.Record{}
	}
	old, edited := find(before.Records, "11223344559"), find(after.Records, "11223344559")
	assert.Equal(t, old.ID, edited.ID, "an edit is the same record")
	assert.Greater(t, edited.Version, old.Version, "an edit is a newer version")
	assert.NotEqual(t, old.EventID, edited.EventID)
	assert.Equal(t, "Sync fixed\nUpdate: 4.2.1 fixed the sync delay, thanks.", edited.Text)
	assert.InDelta(t, 4, edited.Score.Value, 0)
	assert.Equal(t, edited.ID, after.Records[0].ID, "the edited review is now the newest")
}

func TestRSSRetries(t *testing.T) {
	t.Run("429 with Retry-After", func(t *testing.T) {
		srv := newRSSServer(t)
		srv.Fail(pollertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
		start := time.Now()
		page, err := newTestPoller(t, rssConfig(srv.URL)).Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "waited Retry-After")
		assert.Len(t, page.Records, 3)
		assert.Equal(t, int32(2), srv.Requests.Load())
	})
	t.Run("500 then success", func(t *testing.T) {
		srv := newRSSServer(t)
		srv.Fail(pollertest.Fault{Status: http.StatusInternalServerError})
		page, err := newTestPoller(t, rssConfig(srv.URL)).Fetch(t.Context(), "2")
		require.NoError(t, err)
		assert.Len(t, page.Records, 2)
		assert.Equal(t, int32(2), srv.Requests.Load())
	})
	t.Run("5xx exhausted", func(t *testing.T) {
		srv := newRSSServer(t)
		srv.Fail(pollertest.Fault{Status: 503}, pollertest.Fault{Status: 502}, pollertest.Fault{Status: 500})
		_, err := newTestPoller(t, rssConfig(srv.URL)).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUpstream)
		connectortest.RequireSentinel(t, err)
		assert.ErrorContains(t, err, "appstore: rss page 1:")
	})
	t.Run("401", func(t *testing.T) {
		srv := newRSSServer(t)
		srv.Fail(pollertest.Fault{Status: http.StatusUnauthorized})
		_, err := newTestPoller(t, rssConfig(srv.URL)).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
		connectortest.RequireSentinel(t, err)
		assert.Equal(t, int32(1), srv.Requests.Load(), "not retried")
	})
}

func TestRSSMalformedPage(t *testing.T) {
	tests := map[string]string{
		"not JSON":             `<html><body>Service Unavailable</body></html>`,
		"truncated":            `{"feed":{"entry":[{"id":{"label":"1"}`,
		"rating not a number":  `{"feed":{"entry":[{"id":{"label":"9"},"im:rating":{"label":"five"},"updated":{"label":"2025-03-02T02:01:12-07:00"}}]}}`,
		"rating out of range":  `{"feed":{"entry":[{"id":{"label":"9"},"im:rating":{"label":"6"},"updated":{"label":"2025-03-02T02:01:12-07:00"}}]}}`,
		"no review id":         `{"feed":{"entry":[{"im:rating":{"label":"3"},"updated":{"label":"2025-03-02T02:01:12-07:00"}}]}}`,
		"bad updated":          `{"feed":{"entry":[{"id":{"label":"9"},"im:rating":{"label":"3"},"updated":{"label":"yesterday"}}]}}`,
		"no feed":              `{"data":[]}`,
		"entry is a string":    `{"feed":{"entry":"none"}}`,
		"label is not wrapped": `{"feed":{"entry":[{"id":"9","im:rating":{"label":"3"},"updated":{"label":"2025-03-02T02:01:12-07:00"}}]}}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newRSSServer(t)
			srv.set("2", []byte(body))
			page, err := newTestPoller(t, rssConfig(srv.URL)).Fetch(t.Context(), "2")
			pollertest.RequireMalformed(t, page, err, []byte(body))
			assert.Equal(t, "3", page.Next, "the framework can dead-letter page 2 and go on to 3")
			assert.ErrorContains(t, err, "appstore: rss page 2:")
		})
	}
}

func TestRSSPageTokens(t *testing.T) {
	p := newTestPoller(t, rssConfig("http://127.0.0.1:1"))
	for _, tok := range []string{"0", "11", "x", "02", "-1", " 2", "https://itunes.apple.com/"} {
		page, err := p.Fetch(t.Context(), tok)
		require.ErrorIs(t, err, connectors.ErrMalformed, "%q", tok)
		assert.Empty(t, page.Records)
	}
}

// connectServer is a fake App Store Connect API that checks each request's
// token with the public key.
func newConnectServer(t *testing.T) *pollertest.Server {
	var srv *pollertest.Server
	srv = pollertest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, claims := verifyJWT(t, tok, &key(t).PublicKey)
		assert.Equal(t, issuerID, claims["iss"])
		if r.URL.Path != "/v1/apps/"+appID+"/customerReviews" {
			http.NotFound(w, r)
			return
		}
		name := "connect_page1.json"
		if r.URL.Query().Get("cursor") == "AQ.AMbbPwE" {
			name = "connect_page2.json"
		}
		b := readPage(t, name)
		// Links point at the real API; the fake answers for it.
		_, _ = w.Write([]byte(strings.ReplaceAll(string(b), DefaultConnectBaseURL, srv.URL)))
	}))
	return srv
}

func TestConnectWalk(t *testing.T) {
	srv := newConnectServer(t)
	p := newTestPoller(t, connectConfig(t, srv.URL))
	pages := pollertest.Walk(t, p, sourceID, 5)
	require.Len(t, pages, 2)
	assert.Equal(t, srv.URL+"/v1/apps/"+appID+"/customerReviews?cursor=AQ.AMbbPwE&sort=-createdDate&limit=200&include=response", pages[0].Next)
	assert.Equal(t, []string{
		"/v1/apps/" + appID + "/customerReviews?include=response&limit=200&sort=-createdDate",
		"/v1/apps/" + appID + "/customerReviews?cursor=AQ.AMbbPwE&sort=-createdDate&limit=200&include=response",
	}, srv.URIs())
	recs := pollertest.Records(pages)
	assert.Equal(t, []string{
		"00000028-b08c-0014-729e-fbd500000000@1740909672",
		"00000028-b08c-0014-729e-fbd500000001@1740874800",
		"00000028-b08c-0014-729e-fbd4ffffffff@1740045600",
	}, ids(recs))
	assert.Equal(t, map[string]string{"app_id": appID, "feed": "connect", "country": "USA", "reply": "false"}, recs[0].Attributes)
	assert.Equal(t, "true", recs[1].Attributes["reply"])
	assert.Equal(t, "Okay but pricey.", recs[2].Text)
	for _, r := range recs {
		b, _ := json.Marshal(r)
		assert.NotContains(t, string(b), "mika")
		assert.NotContains(t, string(b), "ana.l")
	}
}

// reply is set from relationships.response.data: an object is a reply, null
// is none, and a relationship with only links (as in Apple's documented
// example) says nothing, so the attribute is left out.
func TestConnectReply(t *testing.T) {
	p := newTestPoller(t, connectConfig(t, ""))
	for _, tt := range []struct{ rel, want string }{
		{`{"response":{"data":{"type":"customerReviewResponses","id":"r1"}}}`, "true"},
		{`{"response":{"data":null}}`, "false"},
		{`{"response":{"links":{"related":"https://api.appstoreconnect.apple.com/v1/customerReviews/x/response"}}}`, ""},
		{`{}`, ""},
	} {
		body := `{"data":[{"type":"customerReviews","id":"x","attributes":{"rating":4,"createdDate":"2025-03-02T02:01:12-08:00"},"relationships":` + tt.rel + `}]}`
		page, err := p.decodeConnect([]byte(body))
		require.NoError(t, err, tt.rel)
		require.Len(t, page.Records, 1)
		got, ok := page.Records[0].Attributes["reply"]
		if tt.want == "" {
			assert.False(t, ok, "%s: reply=%q", tt.rel, got)
		} else {
			assert.Equal(t, tt.want, got, tt.rel)
		}
	}
}

func TestConnectTerritoryFilter(t *testing.T) {
	srv := newConnectServer(t)
	cfg := connectConfig(t, srv.URL)
	cfg.Params[ParamTerritory] = "gbr"
	_, err := newTestPoller(t, cfg).Fetch(t.Context(), "")
	require.NoError(t, err)
	assert.Contains(t, srv.URIs()[0], "filter%5Bterritory%5D=GBR")
}

func TestConnectFailures(t *testing.T) {
	t.Run("401", func(t *testing.T) {
		srv := newConnectServer(t)
		srv.Fail(pollertest.Fault{Status: http.StatusUnauthorized, Body: `{"errors":[{"status":"401","code":"NOT_AUTHORIZED"}]}`})
		page, err := newTestPoller(t, connectConfig(t, srv.URL)).Fetch(t.Context(), "")
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
		connectortest.RequireSentinel(t, err)
		assert.Empty(t, page.Records)
	})
	t.Run("429 then 500 then success", func(t *testing.T) {
		srv := newConnectServer(t)
		srv.Fail(pollertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"}, pollertest.Fault{Status: 500})
		page, err := newTestPoller(t, connectConfig(t, srv.URL)).Fetch(t.Context(), "")
		require.NoError(t, err)
		assert.Len(t, page.Records, 2)
		assert.Equal(t, int32(3), srv.Requests.Load())
	})
	t.Run("a page token off the API host is refused before any request", func(t *testing.T) {
		srv := newConnectServer(t)
		p := newTestPoller(t, connectConfig(t, srv.URL))
		for _, tok := range []string{
			"https://evil.example/v1/apps/" + appID + "/customerReviews?cursor=x",
			srv.URL + "/v1/apps/999/customerReviews?cursor=x",
			srv.URL + "/v1/users",
			"not a url at all",
			strings.Replace(srv.URL, "http://", "https://", 1) + "/v1/apps/" + appID + "/customerReviews",
		} {
			_, err := p.Fetch(t.Context(), tok)
			require.ErrorIs(t, err, connectors.ErrMalformed, tok)
		}
		assert.Equal(t, int32(0), srv.Requests.Load())
	})
	t.Run("links.next off the API host makes the page malformed", func(t *testing.T) {
		body := []byte(strings.ReplaceAll(string(readPage(t, "connect_page1.json")), DefaultConnectBaseURL+"/v1/apps/"+appID+"/customerReviews?cursor", "https://evil.example/v1/apps/"+appID+"/customerReviews?cursor"))
		page, err := newTestPoller(t, connectConfig(t, "")).decodeConnect(body)
		pollertest.RequireMalformed(t, page, err, body)
		assert.ErrorContains(t, err, "links.next")
	})
	t.Run("malformed page", func(t *testing.T) {
		for _, body := range []string{`{"data":{}}`, `{"errors":[]}`, `{"data":[{"id":"a b","attributes":{"createdDate":"2025-03-02T02:01:12-08:00"}}]}`,
			`{"data":[{"id":"x","attributes":{"rating":7,"createdDate":"2025-03-02T02:01:12-08:00"}}]}`,
			`{"data":[{"id":"x","attributes":{"rating":2.5,"createdDate":"2025-03-02T02:01:12-08:00"}}]}`,
			`{"data":[{"id":"x","attributes":{"rating":2}}]}`} {
			page, err := newTestPoller(t, connectConfig(t, "")).decodeConnect([]byte(body))
			pollertest.RequireMalformed(t, page, err, []byte(body))
		}
	})
}
