package vendorapi

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestGetPage(t *testing.T) {
	tooMany := func(v string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", v)
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}
	tests := []struct {
		name       string
		handlers   []http.HandlerFunc
		wantErr    error
		message    string
		retryAfter time.Duration
		calls      int32
		outcomes   []string
	}{
		{"ok, bytes as received", []http.HandlerFunc{body(`{"id": "a1"} `)}, nil, "", 0, 1, []string{"ok"}},
		{"not JSON is still returned", []http.HandlerFunc{body(`<html>`)}, nil, "", 0, 1, []string{"ok"}},
		{"500 then ok", []http.HandlerFunc{status(500), body(`{}`)}, nil, "", 0, 2, []string{"retried", "ok"}},
		{"429 then ok", []http.HandlerFunc{tooMany("0"), body(`{}`)}, nil, "", 0, 2, []string{"retried", "ok"}},
		{"5xx exhausted", []http.HandlerFunc{status(502)}, connectors.ErrUpstream, "502 Bad Gateway after 3 attempts", 0, 3, []string{"retried", "retried", "failed"}},
		{"429 exhausted keeps the wait", []http.HandlerFunc{tooMany("0"), tooMany("0"), tooMany("1")}, connectors.ErrUpstream, "after 3 attempts", time.Second, 3, []string{"retried", "retried", "failed"}},
		{"Retry-After beyond MaxDelay", []http.HandlerFunc{tooMany("120")}, connectors.ErrUpstream, "Retry-After 2m0s is longer", 2 * time.Minute, 1, []string{"failed"}},
		{"401", []http.HandlerFunc{status(401)}, connectors.ErrUnauthorized, "401 Unauthorized", 0, 1, []string{"failed"}},
		{"403", []http.HandlerFunc{status(403)}, connectors.ErrUnauthorized, "403 Forbidden", 0, 1, []string{"failed"}},
		{"404", []http.HandlerFunc{status(404)}, ErrNotFound, "404 Not Found", 0, 1, []string{"not_found"}},
		{"400 not retried", []http.HandlerFunc{status(400)}, connectors.ErrUpstream, "400 Bad Request", 0, 1, []string{"failed"}},
		{"too large", []http.HandlerFunc{body(strings.Repeat("x", 200))}, connectors.ErrMalformed, "page larger than 100 bytes", 0, 1, []string{"failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := server(t, tt.handlers...)
			obs := &recorder{}
			c := client(connectors.EnrichConfig{Attempts: 3, Timeout: time.Second}, obs, Options{MaxBody: 100, MaxDelay: 2 * time.Second})
			got, err := c.GetPage(t.Context(), srv.URL+"/v1/page?secret=q", http.Header{"X-Extra": {"1"}})
			assert.Equal(t, tt.calls, n.Load(), "calls")
			assert.Equal(t, tt.outcomes, obs.get())
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.NotEmpty(t, got)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.message)
			assert.NotContains(t, err.Error(), "secret=q")
			assert.Nil(t, got)
			var ra interface{ RetryAfter() time.Duration }
			if tt.retryAfter > 0 {
				require.ErrorAs(t, err, &ra)
				assert.Equal(t, tt.retryAfter, ra.RetryAfter())
			} else {
				assert.False(t, errors.As(err, &ra), "no Retry-After hint")
			}
		})
	}
}

func TestGetPageBodyAndHeaders(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "1", r.Header.Get("X-Extra"))
		_, _ = w.Write([]byte(`{"a": 1}` + "\n"))
	})
	c := client(connectors.EnrichConfig{}, &recorder{}, Options{})
	got, err := c.GetPage(t.Context(), srv.URL+"/x", http.Header{"x-extra": {"1"}})
	require.NoError(t, err)
	assert.Equal(t, "{\"a\": 1}\n", string(got), "the body is returned byte for byte")
}

func TestGetPageInvalidURL(t *testing.T) {
	_, err := client(connectors.EnrichConfig{}, &recorder{}, Options{}).GetPage(t.Context(), "ftp://x/y", nil)
	require.ErrorIs(t, err, connectors.ErrUpstream)
}

func TestNewPollerDefaults(t *testing.T) {
	c := NewPoller(connectors.PollerConfig{}, connectors.Settings{}, Options{})
	assert.Equal(t, 10*time.Second, c.timeout)
	assert.Equal(t, DefaultPollerAttempts, c.attempts)
	assert.Equal(t, DefaultPollerMaxDelay, c.maxDelay)
	assert.Equal(t, int64(DefaultPollerMaxBody), c.maxBody)
	c = NewPoller(connectors.PollerConfig{Timeout: time.Second}, connectors.Settings{}, Options{MaxDelay: time.Second})
	assert.Equal(t, time.Second, c.timeout)
	assert.Equal(t, time.Second, c.maxDelay)
}

func TestDecodePage(t *testing.T) {
	var v struct{ A int }
	require.NoError(t, DecodePage([]byte(`{"A":1}`), &v))
	assert.Equal(t, 1, v.A)
	require.ErrorIs(t, DecodePage([]byte(`{"A":`), &v), connectors.ErrMalformed)
	require.ErrorIs(t, DecodePage([]byte(strings.Repeat("[", 100)), &v), connectors.ErrMalformed)
}

func TestSortNewestFirst(t *testing.T) {
	at := func(v int64, min int) feedback.Record {
		return feedback.Record{Version: v, OccurredAt: time.Date(2025, 3, 2, 10, min, 0, 0, time.UTC)}
	}
	recs := []feedback.Record{at(1, 1), at(5, 0), at(1, 3), at(5, 2)}
	SortNewestFirst(recs)
	assert.Equal(t, []feedback.Record{at(5, 2), at(5, 0), at(1, 3), at(1, 1)}, recs)
}

func TestCheckParams(t *testing.T) {
	require.NoError(t, CheckParams(nil, "a"))
	require.NoError(t, CheckParams(map[string]string{"a": "1"}, "a", "b"))
	err := CheckParams(map[string]string{"c": "1", "a": "1", "aa": ""}, "a", "b")
	require.Error(t, err)
	assert.Equal(t, "params aa, c: unknown (want a, b)", err.Error())
}

func TestCheckReviewID(t *testing.T) {
	for _, id := range []string{"11223344556", "00000028-b08c-0014-729e-fbd500000000", "gp:AOqpTOF_x-1", "AbFvOq/x=="} {
		assert.NoError(t, CheckReviewID(id), id)
	}
	for _, id := range []string{"", "a b", "a\nb", "é", strings.Repeat("1", MaxReviewIDLen+1)} {
		assert.Error(t, CheckReviewID(id), id)
	}
}

func TestNewReview(t *testing.T) {
	at := time.Date(2025, 3, 2, 2, 1, 12, 0, time.FixedZone("PDT", -7*3600))
	recv := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	r := NewReview("appstore-us", "11223344556", 0, at, recv)
	assert.Equal(t, feedback.NewID("appstore-us", "11223344556"), r.ID)
	assert.Equal(t, int64(1), r.Version)
	assert.Equal(t, "11223344556@1", r.EventID)
	assert.Equal(t, time.UTC, r.OccurredAt.Location())
	assert.True(t, r.OccurredAt.Equal(at))
	assert.Equal(t, feedback.KindReview, r.Kind)
	r = NewReview("s", "x", 1740909672, at, recv)
	assert.Equal(t, "x@1740909672", r.EventID)
}

func TestCheckPageToken(t *testing.T) {
	for _, tok := range []string{"", "NEXT", "CjYKFGdwOkFPcXBUT0YvbXg9PQ==", "a b"} {
		assert.NoError(t, CheckPageToken(tok), tok)
	}
	for _, tok := range []string{"a\nb", "é", strings.Repeat("x", MaxPageTokenLen+1)} {
		assert.ErrorIs(t, CheckPageToken(tok), connectors.ErrMalformed, tok)
	}
}
