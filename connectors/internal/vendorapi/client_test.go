package vendorapi

import (
	"context"
	"errors"
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
)

const token = "tok-SECRET-123"

// recorder is a CallObserver that keeps the outcomes in order.
type recorder struct {
	mu       sync.Mutex
	outcomes []string
}

func (r *recorder) ObserveCall(outcome string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d < 0 {
		panic("negative duration")
	}
	r.outcomes = append(r.outcomes, outcome)
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.outcomes...)
}

// server answers with the handlers in turn (the last one repeats) and
// counts calls; every request must carry the token.
func server(t *testing.T, handlers ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		handlers[min(i, len(handlers)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

func body(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(s))
	}
}

func client(cfg connectors.EnrichConfig, obs connectors.CallObserver, opts Options) *Client {
	if opts.BaseDelay == 0 {
		opts.BaseDelay = time.Millisecond
	}
	if opts.MaxDelay == 0 {
		opts.MaxDelay = 50 * time.Millisecond
	}
	opts.Auth = func(h http.Header) { h.Set("Authorization", "Bearer "+token) }
	return New(cfg, connectors.Settings{Calls: obs}, opts)
}

type thing struct {
	ID string `json:"id"`
}

func TestGetJSON(t *testing.T) {
	tests := []struct {
		name     string
		handlers []http.HandlerFunc
		attempts int
		wantErr  error // nil, ErrNotFound or connectors.ErrUpstream
		message  string
		calls    int32
		outcomes []string
	}{
		{"ok", []http.HandlerFunc{body(`{"id":"a1"}`)}, 3, nil, "", 1, []string{"ok"}},
		{"5xx then ok", []http.HandlerFunc{status(502), status(500), body(`{"id":"a1"}`)}, 3, nil, "", 3, []string{"retried", "retried", "ok"}},
		{"408 retried", []http.HandlerFunc{status(408), body(`{"id":"a1"}`)}, 3, nil, "", 2, []string{"retried", "ok"}},
		{"5xx exhausted", []http.HandlerFunc{status(503)}, 3, connectors.ErrUpstream, "503 Service Unavailable after 3 attempts", 3, []string{"retried", "retried", "failed"}},
		{"one attempt", []http.HandlerFunc{status(500)}, 1, connectors.ErrUpstream, "after 1 attempts", 1, []string{"failed"}},
		{"401 not retried", []http.HandlerFunc{status(401)}, 3, connectors.ErrUpstream, "401 Unauthorized (check the API token", 1, []string{"failed"}},
		{"403 not retried", []http.HandlerFunc{status(403)}, 3, connectors.ErrUpstream, "403 Forbidden", 1, []string{"failed"}},
		{"400 not retried", []http.HandlerFunc{status(400)}, 3, connectors.ErrUpstream, "400 Bad Request", 1, []string{"failed"}},
		{"404", []http.HandlerFunc{status(404)}, 3, ErrNotFound, "404 Not Found", 1, []string{"not_found"}},
		{"410", []http.HandlerFunc{status(410)}, 3, ErrNotFound, "410 Gone", 1, []string{"not_found"}},
		{"redirect not followed", []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/steal", http.StatusFound)
		}}, 3, connectors.ErrUpstream, "302 Found", 1, []string{"failed"}},
		{"malformed JSON", []http.HandlerFunc{body(`{"id":`)}, 3, connectors.ErrUpstream, "malformed response", 1, []string{"failed"}},
		{"wrong JSON shape", []http.HandlerFunc{body(`{"id":["x"]}`)}, 3, connectors.ErrUpstream, "malformed response", 1, []string{"failed"}},
		{"too deep", []http.HandlerFunc{body(strings.Repeat("[", 70) + strings.Repeat("]", 20))}, 3, connectors.ErrUpstream, "nests deeper", 1, []string{"failed"}},
		{"too large", []http.HandlerFunc{body(`{"id":"` + strings.Repeat("x", 200) + `"}`)}, 3, connectors.ErrUpstream, "larger than 100 bytes", 1, []string{"failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := server(t, tt.handlers...)
			obs := &recorder{}
			c := client(connectors.EnrichConfig{Attempts: tt.attempts, Timeout: time.Second}, obs, Options{MaxBody: 100})
			var got thing
			err := c.GetJSON(t.Context(), srv.URL+"/v3/things/a1?secret=query", &got)
			assert.Equal(t, tt.calls, n.Load(), "calls")
			assert.Equal(t, tt.outcomes, obs.get(), "observed outcomes")
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, "a1", got.ID)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "GET /v3/things/a1")
			assert.NotContains(t, err.Error(), token)
			assert.NotContains(t, err.Error(), "secret=query", "the query is not reported")
			if errors.Is(tt.wantErr, ErrNotFound) {
				assert.NotErrorIs(t, err, connectors.ErrUpstream, "the vendor decides what a 404 means")
			}
		})
	}
}

func TestGetJSONRetryAfter(t *testing.T) {
	tooMany := func(v string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", v)
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}
	t.Run("honoured", func(t *testing.T) {
		srv, n := server(t, tooMany("1"), body(`{"id":"a1"}`))
		obs := &recorder{}
		c := client(connectors.EnrichConfig{Attempts: 3}, obs, Options{MaxDelay: 3 * time.Second})
		start := time.Now()
		require.NoError(t, c.GetJSON(t.Context(), srv.URL+"/x", &thing{}))
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "waits Retry-After, not the 1ms backoff")
		assert.Equal(t, int32(2), n.Load())
		assert.Equal(t, []string{"retried", "ok"}, obs.get())
	})
	t.Run("capped", func(t *testing.T) {
		srv, n := server(t, tooMany("120"), body(`{"id":"a1"}`))
		c := client(connectors.EnrichConfig{Attempts: 2}, &recorder{}, Options{MaxDelay: 20 * time.Millisecond})
		start := time.Now()
		require.NoError(t, c.GetJSON(t.Context(), srv.URL+"/x", &thing{}))
		assert.Less(t, time.Since(start), 2*time.Second, "Retry-After is capped at MaxDelay")
		assert.Equal(t, int32(2), n.Load())
	})
	t.Run("exhausted", func(t *testing.T) {
		srv, _ := server(t, tooMany("0"))
		err := client(connectors.EnrichConfig{Attempts: 2}, &recorder{}, Options{}).GetJSON(t.Context(), srv.URL+"/x", &thing{})
		require.ErrorIs(t, err, connectors.ErrUpstream)
		assert.ErrorContains(t, err, "429 Too Many Requests after 2 attempts")
	})
	t.Run("longer than the deadline", func(t *testing.T) {
		srv, n := server(t, tooMany("2"), body(`{"id":"a1"}`))
		c := client(connectors.EnrichConfig{Attempts: 3}, &recorder{}, Options{MaxDelay: 5 * time.Second})
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := c.GetJSON(ctx, srv.URL+"/x", &thing{})
		require.ErrorIs(t, err, connectors.ErrUpstream)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 400*time.Millisecond, "gives up at once instead of sleeping into the deadline")
		assert.Equal(t, int32(1), n.Load())
	})
}

func TestGetJSONContext(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		w.WriteHeader(http.StatusGatewayTimeout)
	}
	t.Run("deadline during a call", func(t *testing.T) {
		srv, n := server(t, hang)
		obs := &recorder{}
		c := client(connectors.EnrichConfig{Attempts: 3, Timeout: 10 * time.Second}, obs, Options{})
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := c.GetJSON(ctx, srv.URL+"/x", &thing{})
		require.ErrorIs(t, err, connectors.ErrUpstream)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.Equal(t, int32(1), n.Load(), "no retry once ctx is done")
		assert.Equal(t, []string{"failed"}, obs.get())
	})
	t.Run("per-call timeout is retried", func(t *testing.T) {
		srv, n := server(t, hang, body(`{"id":"a1"}`))
		obs := &recorder{}
		c := client(connectors.EnrichConfig{Attempts: 3, Timeout: 50 * time.Millisecond}, obs, Options{})
		var got thing
		require.NoError(t, c.GetJSON(t.Context(), srv.URL+"/x", &got))
		assert.Equal(t, "a1", got.ID)
		assert.Equal(t, int32(2), n.Load())
		assert.Equal(t, []string{"retried", "ok"}, obs.get())
	})
	t.Run("per-call timeouts exhausted", func(t *testing.T) {
		srv, _ := server(t, hang)
		c := client(connectors.EnrichConfig{Attempts: 2, Timeout: 30 * time.Millisecond}, &recorder{}, Options{})
		err := c.GetJSON(t.Context(), srv.URL+"/x", &thing{})
		require.ErrorIs(t, err, connectors.ErrUpstream)
		assert.ErrorContains(t, err, "request failed: timeout after 2 attempts")
	})
	t.Run("cancelled during backoff", func(t *testing.T) {
		srv, n := server(t, status(500))
		c := client(connectors.EnrichConfig{Attempts: 5}, &recorder{}, Options{BaseDelay: time.Second, MaxDelay: 10 * time.Second})
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := c.GetJSON(ctx, srv.URL+"/x", &thing{})
		require.ErrorIs(t, err, connectors.ErrUpstream)
		require.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), 900*time.Millisecond)
		assert.Equal(t, int32(1), n.Load())
	})
	t.Run("already cancelled", func(t *testing.T) {
		srv, n := server(t, body(`{}`))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := client(connectors.EnrichConfig{}, &recorder{}, Options{}).GetJSON(ctx, srv.URL+"/x", &thing{})
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, connectors.ErrUpstream)
		assert.Equal(t, int32(0), n.Load())
	})
}

func TestGetJSONNetworkErrorRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // connection refused from now on
	obs := &recorder{}
	err := client(connectors.EnrichConfig{Attempts: 2}, obs, Options{}).GetJSON(t.Context(), addr+"/x", &thing{})
	require.ErrorIs(t, err, connectors.ErrUpstream)
	assert.ErrorContains(t, err, "request failed")
	assert.Equal(t, []string{"retried", "failed"}, obs.get())
}

func TestGetJSONInvalidURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x/y", "/relative", "http://"} {
		err := client(connectors.EnrichConfig{}, &recorder{}, Options{}).GetJSON(t.Context(), u, &thing{})
		require.ErrorIs(t, err, connectors.ErrUpstream, u)
	}
}

func TestNewKeepsSharedClientRedirects(t *testing.T) {
	shared := &http.Client{}
	New(connectors.EnrichConfig{}, connectors.Settings{HTTPClient: shared}, Options{})
	assert.Nil(t, shared.CheckRedirect, "the settings' client is not modified")
}

func TestBackoff(t *testing.T) {
	c := New(connectors.EnrichConfig{}, connectors.Settings{}, Options{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second})
	for _, tt := range []struct {
		attempt  int
		jitter   float64
		min, max time.Duration
	}{
		{1, 0, 50 * time.Millisecond, 50 * time.Millisecond},
		{1, 0.999, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 0, 100 * time.Millisecond, 100 * time.Millisecond},
		{3, 0.5, 200 * time.Millisecond, 400 * time.Millisecond},
		{5, 0.999, 500 * time.Millisecond, time.Second},
		{80, 0.999, 500 * time.Millisecond, time.Second},
	} {
		c.jitter = func() float64 { return tt.jitter }
		d := c.backoff(tt.attempt)
		assert.GreaterOrEqual(t, d, tt.min, "attempt %d", tt.attempt)
		assert.LessOrEqual(t, d, tt.max, "attempt %d", tt.attempt)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 2, 10, 5, 0, 0, time.UTC)
	assert.Equal(t, 3*time.Second, retryAfter("3", now))
	assert.Equal(t, time.Duration(0), retryAfter("", now))
	assert.Equal(t, time.Duration(0), retryAfter("-1", now))
	assert.Equal(t, time.Duration(0), retryAfter("soon", now))
	assert.Equal(t, 24*time.Hour, retryAfter("99999999", now))
	assert.Equal(t, 30*time.Second, retryAfter(now.Add(30*time.Second).Format(http.TimeFormat), now))
	assert.Equal(t, time.Duration(0), retryAfter(now.Add(-time.Minute).Format(http.TimeFormat), now))
}

func TestBaseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"":                             "",
		"https://api.surveymonkey.com": "https://api.surveymonkey.com",
		" https://co1.qualtrics.com/ ": "https://co1.qualtrics.com",
		"http://127.0.0.1:8080/proxy/": "http://127.0.0.1:8080/proxy",
	} {
		got, err := BaseURL(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, got)
	}
	for _, raw := range []string{"api.surveymonkey.com", "ftp://x", "https://", "https://u:p@x.example", "https://x.example/?a=1", "https://x.example/#f", "://bad"} {
		_, err := BaseURL(raw)
		assert.Error(t, err, raw)
	}
}

func TestCheckPathID(t *testing.T) {
	for _, id := range []string{"118822334455", "SV_8dK2aBc", "R_2xY9-z"} {
		assert.NoError(t, CheckPathID(id), id)
	}
	for _, id := range []string{"", "../x", "a/b", "a.b", "a b", "a%2F", strings.Repeat("1", MaxIDLen+1), "é"} {
		assert.Error(t, CheckPathID(id), id)
	}
}
