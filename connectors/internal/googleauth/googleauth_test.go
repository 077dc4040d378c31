package googleauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/googleauth"
	"github.com/corridorhq/corridor/connectors/internal/googleauth/googleauthtest"
)

const scope = googleauth.ScopeAndroidPublisher

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newSource(t *testing.T, srv *googleauthtest.Server, clk *clock) *googleauth.TokenSource {
	t.Helper()
	ts, err := googleauth.New(googleauth.Config{ServiceAccountJSON: srv.ServiceAccountJSON(), Scopes: []string{scope}}, connectors.Settings{Now: clk.Now})
	require.NoError(t, err)
	return ts
}

func TestTokenCachedUntilExpiry(t *testing.T) {
	srv := googleauthtest.NewServer(t, scope)
	clk := &clock{now: time.Now()}
	ts := newSource(t, srv, clk)
	assert.Equal(t, googleauthtest.Email, ts.Email())
	assert.Equal(t, srv.URL+"/token", ts.TokenURL(), "the key's token_uri")

	tok, err := ts.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, googleauthtest.Token(1), tok)

	clk.Add(58 * time.Minute)
	tok, err = ts.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, googleauthtest.Token(1), tok, "cached")
	assert.Equal(t, int32(1), srv.Calls.Load())

	clk.Add(90 * time.Second) // within a minute of expiry
	tok, err = ts.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, googleauthtest.Token(2), tok, "refreshed a minute early")

	ts.Invalidate()
	tok, err = ts.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, googleauthtest.Token(3), tok, "fetched again after Invalidate")
}

func TestTokenConcurrentCallersShareOneFetch(t *testing.T) {
	srv := googleauthtest.NewServer(t, scope)
	ts := newSource(t, srv, &clock{now: time.Now()})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			tok, err := ts.Token(t.Context())
			assert.NoError(t, err)
			assert.Equal(t, googleauthtest.Token(1), tok)
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), srv.Calls.Load())
}

func TestTokenShortLifetime(t *testing.T) {
	srv := googleauthtest.NewServer(t, scope)
	srv.ExpiresIn.Store(60)
	clk := &clock{now: time.Now()}
	ts := newSource(t, srv, clk)
	_, err := ts.Token(t.Context())
	require.NoError(t, err)
	clk.Add(29 * time.Second)
	_, err = ts.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int32(1), srv.Calls.Load(), "a 60s token is reused for 30s")
	clk.Add(2 * time.Second)
	_, err = ts.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int32(2), srv.Calls.Load())
}

func TestTokenRefused(t *testing.T) {
	srv := googleauthtest.NewServer(t, scope)
	srv.Refuse.Store(true)
	ts := newSource(t, srv, &clock{now: time.Now()})
	_, err := ts.Token(t.Context())
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	assert.NotErrorIs(t, err, connectors.ErrUpstream)
	assert.ErrorContains(t, err, "invalid_grant (Invalid JWT Signature.)")
	assert.Equal(t, int32(1), srv.Calls.Load(), "a refusal is not retried")
}

func TestTokenWrongScopeRefused(t *testing.T) {
	srv := googleauthtest.NewServer(t, googleauth.ScopeBusinessManage)
	ts := newSource(t, srv, &clock{now: time.Now()})
	_, err := ts.Token(t.Context())
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	assert.ErrorContains(t, err, "scope")
}

func TestTokenEndpointFailures(t *testing.T) {
	var calls atomic.Int32
	handlers := map[string]http.HandlerFunc{
		"500 then ok": func(w http.ResponseWriter, _ *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			_, _ = w.Write([]byte(`{"access_token":"tok","expires_in":3599,"token_type":"Bearer"}`))
		},
		"503 exhausted": func(w http.ResponseWriter, _ *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
		},
		"no token": func(w http.ResponseWriter, _ *http.Request) {
			calls.Add(1)
			_, _ = w.Write([]byte(`{"expires_in":3599}`))
		},
		"not json": func(w http.ResponseWriter, _ *http.Request) {
			calls.Add(1)
			_, _ = w.Write([]byte(`<html>`))
		},
		"404": func(w http.ResponseWriter, _ *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusNotFound)
		},
	}
	want := map[string]struct {
		err   error
		calls int32
	}{
		"500 then ok":   {nil, 2},
		"503 exhausted": {connectors.ErrUpstream, 3},
		"no token":      {connectors.ErrUpstream, 1},
		"not json":      {connectors.ErrUpstream, 1},
		"404":           {connectors.ErrUpstream, 1},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			calls.Store(0)
			srv := httptest.NewServer(h)
			defer srv.Close()
			sa := googleauthtest.NewServer(t, scope).ServiceAccountJSON()
			ts, err := googleauth.New(googleauth.Config{ServiceAccountJSON: sa, Scopes: []string{scope}, TokenURL: srv.URL + "/token"}, connectors.Settings{})
			require.NoError(t, err)
			assert.Equal(t, srv.URL+"/token", ts.TokenURL(), "TokenURL overrides token_uri")
			tok, err := ts.Token(t.Context())
			assert.Equal(t, want[name].calls, calls.Load())
			if want[name].err == nil {
				require.NoError(t, err)
				assert.Equal(t, "tok", tok)
				return
			}
			require.ErrorIs(t, err, want[name].err)
			assert.NotErrorIs(t, err, connectors.ErrUnauthorized)
		})
	}
}

func TestTokenContextCancelled(t *testing.T) {
	srv := googleauthtest.NewServer(t, scope)
	ts := newSource(t, srv, &clock{now: time.Now()})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := ts.Token(ctx)
	require.ErrorIs(t, err, connectors.ErrUpstream)
	require.ErrorIs(t, err, context.Canceled)
}

func TestAssertionClaims(t *testing.T) {
	srv := googleauthtest.NewServer(t, scope)
	ts := newSource(t, srv, &clock{now: time.Now()})
	now := time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	a, err := ts.Assertion(now)
	require.NoError(t, err)
	claims := decodeClaims(t, a)
	assert.Equal(t, map[string]any{
		"iss":   googleauthtest.Email,
		"scope": scope,
		"aud":   srv.URL + "/token",
		"iat":   float64(now.Unix()),
		"exp":   float64(now.Add(time.Hour).Unix()),
	}, claims)
}

func TestNewRejects(t *testing.T) {
	good := map[string]string{}
	require.NoError(t, json.Unmarshal(googleauthtest.NewServer(t, scope).ServiceAccountJSON(), &good))
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(ecKey)
	require.NoError(t, err)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))

	tests := []struct {
		name   string
		edit   func(m map[string]string)
		scopes []string
		url    string
		want   string
	}{
		{"unknown type", func(m map[string]string) { m["type"] = "external_account" }, []string{scope}, "", "want service_account or authorized_user"},
		{"authorized user without a refresh token", func(m map[string]string) { m["type"] = "authorized_user" }, []string{scope}, "", "refresh_token are required"},
		{"no email", func(m map[string]string) { delete(m, "client_email") }, []string{scope}, "", "client_email is missing"},
		{"no key", func(m map[string]string) { delete(m, "private_key") }, []string{scope}, "", "not a PEM block"},
		{"EC key", func(m map[string]string) { m["private_key"] = ecPEM }, []string{scope}, "", "want an RSA key"},
		{"no scope", nil, []string{" "}, "", "no scope"},
		{"plain http token URL", nil, []string{scope}, "http://oauth2.example.com/token", "must be https"},
		{"token URL with credentials", nil, []string{scope}, "https://u:p@oauth2.example.com/token", "credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range good {
				m[k] = v
			}
			if tt.edit != nil {
				tt.edit(m)
			}
			b, _ := json.Marshal(m)
			_, err := googleauth.New(googleauth.Config{ServiceAccountJSON: b, Scopes: tt.scopes, TokenURL: tt.url}, connectors.Settings{})
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
			assert.NotContains(t, err.Error(), "PRIVATE KEY")
		})
	}
	for _, b := range []string{"", "  ", "{", "[]"} {
		_, err := googleauth.New(googleauth.Config{ServiceAccountJSON: []byte(b), Scopes: []string{scope}}, connectors.Settings{})
		require.Error(t, err, "%q", b)
	}
}

func decodeClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestAuthorizedUser(t *testing.T) {
	srv := googleauthtest.NewServer(t, scope)
	clk := &clock{now: time.Now()}
	ts, err := googleauth.New(googleauth.Config{ServiceAccountJSON: srv.AuthorizedUserJSON()}, connectors.Settings{Now: clk.Now})
	require.NoError(t, err, "no scope needed: the refresh token carries its grant")
	tok, err := ts.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, googleauthtest.Token(1), tok)
	tok, err = ts.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, googleauthtest.Token(1), tok, "cached")
	_, err = ts.Assertion(clk.Now())
	assert.Error(t, err, "no assertion without a service-account key")

	m := map[string]string{}
	require.NoError(t, json.Unmarshal(srv.AuthorizedUserJSON(), &m))
	m["refresh_token"] = "revoked"
	b, _ := json.Marshal(m)
	ts, err = googleauth.New(googleauth.Config{ServiceAccountJSON: b}, connectors.Settings{})
	require.NoError(t, err)
	_, err = ts.Token(t.Context())
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	assert.ErrorContains(t, err, "invalid_grant")
	assert.NotContains(t, err.Error(), "revoked\"", "the refresh token is not echoed")
	assert.NotContains(t, err.Error(), googleauthtest.ClientSecret)
}
