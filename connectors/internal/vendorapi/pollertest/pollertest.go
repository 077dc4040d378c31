package pollertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// now is the clock of poller tests, after every fixture review.
var now = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// Now returns the fixed clock of poller tests: 2025-03-10T12:00:00Z.
func Now() time.Time { return now }

// Settings returns settings whose clock is Now.
func Settings() connectors.Settings { return connectors.Settings{Now: Now} }

var idPattern = regexp.MustCompile(`^fb_[0-9a-f]{32}$`)

// Fault is a canned answer Server gives instead of the real handler.
type Fault struct {
	Status     int
	RetryAfter string // Retry-After header, if any
	Body       string
}

// Server is a fake vendor API.
type Server struct {
	*httptest.Server
	// Requests counts the requests served, faults included.
	Requests atomic.Int32

	mu     sync.Mutex
	faults []Fault
	uris   []string
	auth   []string
}

// NewServer serves h behind the fault queue; it stops with t.
func NewServer(t testing.TB, h http.Handler) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		s.mu.Lock()
		s.uris = append(s.uris, r.URL.RequestURI())
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		var f *Fault
		if len(s.faults) > 0 {
			f = &s.faults[0]
			s.faults = s.faults[1:]
		}
		s.mu.Unlock()
		if f != nil {
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// Fail queues faults for the next requests, in order.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// URIs returns the request URIs (path and query) served so far.
func (s *Server) URIs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.uris...)
}

// Authorizations returns the Authorization header of each request.
func (s *Server) Authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

// File serves the file at path as application/json, or 404.
func File(w http.ResponseWriter, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// Walk fetches from the newest page ("") and follows Next until it is ""
// (at most max pages), checking each page; it fails the test on an error.
func Walk(t testing.TB, p connectors.Poller, source string, max int) []connectors.Page {
	t.Helper()
	var pages []connectors.Page
	token := ""
	for range max {
		page, err := Fetch(t, p, token)
		require.NoError(t, err, "page %q", token)
		CheckPage(t, page, source)
		pages = append(pages, page)
		if page.Next == "" {
			return pages
		}
		require.NotEqual(t, token, page.Next, "Next repeats the token")
		token = page.Next
	}
	t.Fatalf("more than %d pages", max)
	return nil
}

// Fetch calls p.Fetch, turning a panic into a test failure.
func Fetch(t testing.TB, p connectors.Poller, token string) (page connectors.Page, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Fetch panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return p.Fetch(t.Context(), token)
}

// Records returns the records of pages in order.
func Records(pages []connectors.Page) []feedback.Record {
	var out []feedback.Record
	for _, p := range pages {
		out = append(out, p.Records...)
	}
	return out
}

// CheckPage checks the records of a page: each validates, is a review of
// source with a NewID id and a UTC occurred_at, was received at Now, and
// they are newest first (Version, then OccurredAt); Raw is not empty.
func CheckPage(t testing.TB, page connectors.Page, source string) {
	t.Helper()
	assert.NotEmpty(t, page.Raw, "Page.Raw")
	CheckRecords(t, page.Records)
	for i, r := range page.Records {
		assert.Equalf(t, source, r.Source, "record %d: source", i)
		assert.Equalf(t, feedback.KindReview, r.Kind, "record %d: kind", i)
		assert.Equalf(t, feedback.NewID(source, externalID(r)), r.ID, "record %d: id", i)
		assert.Truef(t, r.ReceivedAt.Equal(now), "record %d: received_at %v", i, r.ReceivedAt)
	}
}

// externalID recovers the vendor id from an event id "<id>@<version>".
func externalID(r feedback.Record) string {
	if i := strings.LastIndexByte(r.EventID, '@'); i >= 0 {
		return r.EventID[:i]
	}
	return r.EventID
}

// CheckRecords checks what every page decoder must return whatever its
// input: records that validate, marshal, carry UTC times and NewID ids, in
// newest-first order.
func CheckRecords(t testing.TB, recs []feedback.Record) {
	t.Helper()
	for i := range recs {
		r := recs[i]
		require.NoErrorf(t, r.Validate(), "record %d does not validate", i)
		_, err := json.Marshal(r)
		require.NoErrorf(t, err, "record %d does not marshal", i)
		require.Equalf(t, time.UTC, r.OccurredAt.Location(), "record %d: occurred_at must be UTC", i)
		require.Regexpf(t, idPattern, r.ID, "record %d: id", i)
		require.Equalf(t, feedback.KindReview, r.Kind, "record %d: kind", i)
	}
	require.Truef(t, sort.SliceIsSorted(recs, func(i, j int) bool {
		if recs[i].Version != recs[j].Version {
			return recs[i].Version > recs[j].Version
		}
		return recs[i].OccurredAt.After(recs[j].OccurredAt)
	}), "records are not newest first")
}

// Golden compares got, marshalled with json.MarshalIndent, with the file at
// path; UPDATE_GOLDEN=1 rewrites it first.
func Golden(t testing.TB, path string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	b = append(b, '\n')
	if os.Getenv(connectortest.UpdateGoldenEnv) != "" {
		require.NoError(t, os.WriteFile(path, b, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run %s=1 go test", connectortest.UpdateGoldenEnv)
	assert.Equal(t, string(want), string(b), "differs from %s; rerun with %s=1 if intended", path, connectortest.UpdateGoldenEnv)
}

// Pages returns the page fixtures in dir: every *.json but *.golden.json,
// sorted.
func Pages(tb testing.TB, dir string) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(tb, err)
	var out []string
	for _, p := range paths {
		if !strings.HasSuffix(p, ".golden.json") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// RequireMalformed checks the malformed-page convention: err wraps
// connectors.ErrMalformed (and no other sentinel), the page has no records
// and Raw holds body.
func RequireMalformed(t testing.TB, page connectors.Page, err error, body []byte) {
	t.Helper()
	require.ErrorIs(t, err, connectors.ErrMalformed)
	connectortest.RequireSentinel(t, err)
	assert.Empty(t, page.Records, "records returned with an error")
	assert.Equal(t, string(body), string(page.Raw), "Page.Raw must hold the malformed page")
}

// Fuzz seeds f with the page fixtures in dir and hostile bodies and fuzzes
// decode. The invariant: no panic; on error, exactly one sentinel wrapped,
// no records, and for ErrMalformed the input in Raw; otherwise records as
// CheckRecords requires and the input in Raw.
func Fuzz(f *testing.F, dir string, decode func(body []byte) (connectors.Page, error)) {
	f.Helper()
	for _, p := range Pages(f, dir) {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{"", "{}", "[]", "null", `{"a":1}`, strings.Repeat("[", 100)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var (
			page connectors.Page
			err  error
		)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("decode panicked: %v\n%s", r, debug.Stack())
				}
			}()
			page, err = decode(bytes.Clone(body))
		}()
		if err != nil {
			connectortest.RequireSentinel(t, err)
			require.Empty(t, page.Records, "records returned with an error")
			if errors.Is(err, connectors.ErrMalformed) {
				require.Equal(t, body, page.Raw, "Raw must hold the malformed page")
			}
			return
		}
		require.Equal(t, body, page.Raw)
		CheckRecords(t, page.Records)
	})
}
