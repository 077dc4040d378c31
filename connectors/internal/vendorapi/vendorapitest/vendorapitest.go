package vendorapitest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Config describes the vendor the fake stands for.
type Config struct {
	// Prefix is the API path prefix, e.g. "/v3/" or "/API/v3/"; a GET of
	// Prefix+p answers testdata/api/<p>.json.
	Prefix string
	// Authorized reports whether a request carries the right credentials.
	Authorized func(*http.Request) bool
	// Unauthorized and NotFound are the vendor's error bodies.
	Unauthorized, NotFound string
}

// API is a running fake vendor API.
type API struct {
	*httptest.Server
	cfg      Config
	mu       sync.Mutex
	calls    map[string]int
	handlers map[string][]http.HandlerFunc
}

// New starts a fake API, closed when the test ends.
func New(t testing.TB, cfg Config) *API {
	t.Helper()
	a := &API{cfg: cfg, calls: map[string]int{}, handlers: map[string][]http.HandlerFunc{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

// On scripts the answers for path: the nth call gets hs[n], the last repeats.
func (a *API) On(path string, hs ...http.HandlerFunc) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.handlers[path] = hs
}

// Count is the number of calls to path so far.
func (a *API) Count(path string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[path]
}

func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	n := a.calls[r.URL.Path]
	a.calls[r.URL.Path]++
	hs := a.handlers[r.URL.Path]
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodGet || !a.cfg.Authorized(r) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(a.cfg.Unauthorized))
		return
	}
	if len(hs) > 0 {
		hs[min(n, len(hs)-1)](w, r)
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, a.cfg.Prefix)
	if !ok || strings.Contains(rel, "..") {
		http.NotFound(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join("testdata", "api", filepath.FromSlash(rel)+".json"))
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(a.cfg.NotFound))
		return
	}
	_, _ = w.Write(b)
}

// Recorder is a connectors.CallObserver that keeps the outcomes.
type Recorder struct {
	mu       sync.Mutex
	outcomes []string
}

// ObserveCall records outcome.
func (r *Recorder) ObserveCall(outcome string, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes = append(r.outcomes, outcome)
}

// Outcomes returns the outcomes recorded so far.
func (r *Recorder) Outcomes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.outcomes...)
}
