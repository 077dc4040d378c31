package poll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// fakeVendor is a review API served by httptest: GET /{feed}/reviews?page=oN
// answers {"reviews":[…],"next":"oM"} newest first by (updated, created),
// pageSize per page, with offset tokens (so new reviews shift later pages,
// as on real offset-paged APIs). Faults are injected per page token.
type fakeVendor struct {
	t        testing.TB
	srv      *httptest.Server
	pageSize int

	mu       sync.Mutex
	feeds    map[string][]review
	faults   map[string][]fault // feed/token → faults, consumed in order
	requests map[string][]string
	block    map[string]chan struct{} // feed/token → closed to release a blocked request
	blocked  chan string              // receives feed/token when a request blocks
}

type review struct {
	ID      string    `json:"id"`
	Updated int64     `json:"updated"` // unix seconds: the record Version
	Created time.Time `json:"created"`
	Text    string    `json:"text"`
	Rating  int       `json:"rating"`
}

type fault struct {
	status     int    // e.g. 429, 500
	retryAfter string // Retry-After header
	malformed  bool   // a page whose reviews do not decode (next still readable)
}

func newFakeVendor(t testing.TB, pageSize int) *fakeVendor {
	v := &fakeVendor{
		t: t, pageSize: pageSize,
		feeds: map[string][]review{}, faults: map[string][]fault{},
		requests: map[string][]string{}, block: map[string]chan struct{}{},
		blocked: make(chan string, 16),
	}
	v.srv = httptest.NewServer(http.HandlerFunc(v.serve))
	t.Cleanup(func() {
		v.mu.Lock()
		for k, ch := range v.block {
			close(ch)
			delete(v.block, k)
		}
		v.mu.Unlock()
		v.srv.Close()
	})
	return v
}

var baseTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// add appends n new reviews to feed, each a minute newer than the last.
func (v *fakeVendor) add(feed string, n int) []review {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []review
	for range n {
		i := len(v.feeds[feed])
		created := baseTime.Add(time.Duration(i) * time.Minute)
		r := review{ID: fmt.Sprintf("%s-r%03d", feed, i), Updated: created.Unix(), Created: created, Text: "The checkout was slow but support was friendly.", Rating: 1 + i%5}
		v.feeds[feed] = append(v.feeds[feed], r)
		out = append(out, r)
	}
	return out
}

// edit changes a review's text; its updated time becomes newer than every
// review, so it moves to the top of the feed.
func (v *fakeVendor) edit(feed, id, text string) review {
	v.mu.Lock()
	defer v.mu.Unlock()
	var top int64
	for _, r := range v.feeds[feed] {
		top = max(top, r.Updated)
	}
	for i := range v.feeds[feed] {
		if r := &v.feeds[feed][i]; r.ID == id {
			r.Text, r.Updated = text, top+60
			return *r
		}
	}
	v.t.Fatalf("no review %s in %s", id, feed)
	return review{}
}

func (v *fakeVendor) inject(feed, token string, fs ...fault) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.faults[feed+"/"+token] = append(v.faults[feed+"/"+token], fs...)
}

// blockAt makes requests for token hang until release (or the client gives up).
func (v *fakeVendor) blockAt(feed, token string) (release func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	ch := make(chan struct{})
	v.block[feed+"/"+token] = ch
	return func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		if c, ok := v.block[feed+"/"+token]; ok && c == ch {
			close(ch)
			delete(v.block, feed+"/"+token)
		}
	}
}

func (v *fakeVendor) requested(feed string) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.requests[feed])
}

func (v *fakeVendor) serve(w http.ResponseWriter, r *http.Request) {
	feed := strings.Trim(strings.TrimSuffix(r.URL.Path, "/reviews"), "/")
	token := r.URL.Query().Get("page")
	key := feed + "/" + token
	v.mu.Lock()
	v.requests[feed] = append(v.requests[feed], token)
	block := v.block[key]
	var f *fault
	if fs := v.faults[key]; len(fs) > 0 {
		f = &fs[0]
		if !fs[0].malformed { // malformed pages stay malformed
			v.faults[key] = fs[1:]
		}
	}
	all := slices.Clone(v.feeds[feed])
	v.mu.Unlock()

	if block != nil {
		v.blocked <- key
		select {
		case <-block:
		case <-r.Context().Done():
			return
		}
	}
	if f != nil && f.status != 0 {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.WriteHeader(f.status)
		return
	}
	slices.SortFunc(all, func(a, b review) int {
		if a.Updated != b.Updated {
			return int(b.Updated - a.Updated)
		}
		return b.Created.Compare(a.Created)
	})
	off := 0
	if token != "" {
		off, _ = strconv.Atoi(strings.TrimPrefix(token, "o"))
	}
	end := min(off+v.pageSize, len(all))
	off = min(off, end)
	next := ""
	if end < len(all) {
		next = "o" + strconv.Itoa(end)
	}
	w.Header().Set("Content-Type", "application/json")
	if f != nil && f.malformed {
		fmt.Fprintf(w, `{"reviews":[{"id":42,"rating":"five"}],"next":%q}`, next)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"reviews": all[off:end], "next": next})
}

// fakePoller is a connector for fakeVendor, written like a real one.
type fakePoller struct {
	url    string
	id     string
	client *http.Client
}

// rateLimited is the error of a 429, with the vendor's Retry-After.
type rateLimited struct{ wait time.Duration }

func (e rateLimited) Error() string {
	return fmt.Sprintf("429 Too Many Requests (retry after %s)", e.wait)
}
func (e rateLimited) Unwrap() error             { return connectors.ErrUpstream }
func (e rateLimited) RetryAfter() time.Duration { return e.wait }

func (p *fakePoller) Fetch(ctx context.Context, token string) (connectors.Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"?page="+token, nil)
	if err != nil {
		return connectors.Page{}, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("%w: %w", connectors.ErrUpstream, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("%w: %w", connectors.ErrUpstream, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		s, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return connectors.Page{}, rateLimited{wait: time.Duration(s) * time.Second}
	case resp.StatusCode != http.StatusOK:
		return connectors.Page{}, fmt.Errorf("%w: status %d", connectors.ErrUpstream, resp.StatusCode)
	}
	var env struct {
		Reviews json.RawMessage `json:"reviews"`
		Next    string          `json:"next"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return connectors.Page{Raw: body}, connectors.Malformedf("fake: page: %v", err)
	}
	var rs []review
	if err := json.Unmarshal(env.Reviews, &rs); err != nil {
		return connectors.Page{Raw: body, Next: env.Next}, connectors.Malformedf("fake: reviews: %v", err)
	}
	page := connectors.Page{Raw: body, Next: env.Next}
	for _, rv := range rs {
		r := feedback.New(p.id, feedback.KindReview, rv.ID)
		r.Version = rv.Updated
		r.OccurredAt = rv.Created
		r.Text = rv.Text
		r.Score, _ = feedback.NewScore(feedback.ScoreRating, float64(rv.Rating), 1, 5)
		page.Records = append(page.Records, r)
	}
	return page, nil
}

// fakeFactory builds fakePollers against base_url/<id>/reviews.
var fakeFactory = connectors.PollerFactory{
	Type: "fake",
	New: func(cfg connectors.PollerConfig, set connectors.Settings) (connectors.Poller, error) {
		if cfg.BaseURL == "" {
			return nil, errors.New("fake: base_url: empty")
		}
		return &fakePoller{url: cfg.BaseURL + "/" + cfg.ID + "/reviews", id: cfg.ID, client: set.HTTP()}, nil
	},
}

func fakeLookup(typ string) (connectors.PollerFactory, bool) {
	if typ == fakeFactory.Type {
		return fakeFactory, true
	}
	return connectors.PollerFactory{}, false
}
