package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "corridor.yaml")
	require.NoError(t, os.WriteFile(p, []byte(yaml), 0o600))
	return p
}

func TestConnectorsConfig(t *testing.T) {
	file := writeConfig(t, `
connectors:
  - type: appstore
    id: acme-us
    interval: 10m
    params: {app_id: "1234567890", country: us}
    credentials: {api_key: ACME_KEY}
poll:
  session_timeout: 20s
`)
	cfg, err := load(t, []string{"--config", file}, map[string]string{"ACME_KEY": "k1"})
	require.NoError(t, err)
	require.Len(t, cfg.Connectors, 1)
	assert.Equal(t, map[string]string{"api_key": "k1"}, cfg.Connectors[0].Secrets, "credentials resolved from the environment")
	assert.Equal(t, 20*time.Second, cfg.Poll.SessionTimeout)
	assert.Equal(t, "corridor.state.v1", cfg.Poll.StateTopic.Name, "defaults kept")

	bad := writeConfig(t, `
connectors:
  - {type: appstore, id: dup, credentials: {api_key: UNSET_VAR}}
  - {type: appstore, id: dup}
  - {type: nosuchsite, id: x}
  - {type: appstore, interval: -1s}
poll:
  group_id: ""
`)
	_, err = load(t, []string{"--config", bad}, nil)
	require.Error(t, err)
	for _, want := range []string{
		"connectors[0] (dup).credentials.api_key: environment variable UNSET_VAR is not set",
		`connectors[1] (dup).id: "dup" is also connectors[0]`,
		`connectors[2] (x).type: unknown review site "nosuchsite"`,
		"connectors[3].id: empty",
		"poll.group_id: empty",
	} {
		assert.Contains(t, err.Error(), want)
	}
}

// rssVendor serves Apple's customer-reviews RSS JSON feed for any app:
// /{country}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json,
// newest first, perPage entries a page.
type rssVendor struct {
	srv     *httptest.Server
	perPage int
	mu      sync.Mutex
	reviews map[string][]rssReview // app id → reviews
	fail    map[string]int         // app id → 500s still to answer
}

type rssReview struct {
	ID      string
	Updated time.Time
	Text    string
}

var rssPath = regexp.MustCompile(`^/[a-z]{2}/rss/customerreviews/page=(\d+)/id=(\d+)/sortby=mostrecent/json$`)

func newRSSVendor(t *testing.T, perPage int) *rssVendor {
	v := &rssVendor{perPage: perPage, reviews: map[string][]rssReview{}, fail: map[string]int{}}
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := rssPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			http.NotFound(w, r)
			return
		}
		n, _ := strconv.Atoi(m[1])
		v.mu.Lock()
		if v.fail[m[2]] > 0 {
			v.fail[m[2]]--
			v.mu.Unlock()
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		rs := slices.Clone(v.reviews[m[2]])
		v.mu.Unlock()
		slices.Reverse(rs) // newest first
		var entries []map[string]any
		for i := (n - 1) * v.perPage; i < min(n*v.perPage, len(rs)); i++ {
			rv := rs[i]
			entries = append(entries, map[string]any{
				"author":     map[string]any{"uri": map[string]string{"label": "https://itunes.apple.com/us/reviews/id4400" + rv.ID}, "name": map[string]string{"label": "someone"}},
				"updated":    map[string]string{"label": rv.Updated.Format(time.RFC3339)},
				"im:rating":  map[string]string{"label": "4"},
				"im:version": map[string]string{"label": "4.2.0"},
				"id":         map[string]string{"label": rv.ID},
				"title":      map[string]string{"label": "Review " + rv.ID},
				"content":    map[string]string{"label": rv.Text},
			})
		}
		feed := map[string]any{"author": map[string]any{"name": map[string]string{"label": "iTunes Store"}}}
		if len(entries) > 0 {
			feed["entry"] = entries
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"feed": feed})
	}))
	t.Cleanup(v.srv.Close)
	return v
}

var rssEpoch = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// add appends n reviews to app, each a minute newer than the last.
func (v *rssVendor) add(app string, n int) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var ids []string
	for range n {
		i := len(v.reviews[app])
		id := fmt.Sprintf("%s%04d", app[len(app)-3:], i)
		v.reviews[app] = append(v.reviews[app], rssReview{ID: id, Updated: rssEpoch.Add(time.Duration(i) * time.Minute), Text: "Sync is slow but the support team was great."})
		ids = append(ids, id)
	}
	return ids
}

// reviewVersions counts feedback records by "<record id>@<version>".
func reviewVersions(t *testing.T, addr string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := sinktest.ReadAll(ctx, addr, "corridor.feedback.v1")
	require.NoError(t, err)
	out := map[string]int{}
	for _, m := range msgs {
		var r feedback.Record
		require.NoError(t, json.Unmarshal(m.Value, &r))
		out[fmt.Sprintf("%s@%d", r.ID, r.Version)]++
	}
	return out
}

// TestPollOnceCommand runs `corridor poll --once` in process against a fake
// App Store RSS feed and a broker.
func TestPollOnceCommand(t *testing.T) {
	b := sinktest.StartBroker(t)
	v := newRSSVendor(t, 3)
	v.add("1000000001", 7) // 3 pages, and the empty 4th ends the feed
	v.add("1000000002", 2)
	file := writeConfig(t, fmt.Sprintf(`
connectors:
  - {type: appstore, id: acme-us, base_url: %[1]q, params: {app_id: "1000000001", country: us}}
  - {type: appstore, id: other-us, base_url: %[1]q, params: {app_id: "1000000002", country: us}}
`, v.srv.URL))
	run1 := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := run(ctx, append([]string{"poll", "--config", file, "--kafka-brokers", b.Addr(), "--data-dir", t.TempDir()}, args...), nil, &out, &errOut)
		return out.String(), err
	}
	out, err := run1("--once")
	require.NoError(t, err, out)
	assert.Contains(t, out, "connector=acme-us outcome=ok pages=4 reviews=7 duplicates=0 malformed_pages=0\n")
	assert.Contains(t, out, "connector=other-us outcome=ok pages=2 reviews=2 ")

	v.add("1000000001", 2)
	out, err = run1("--once", "--connector", "acme-us")
	require.NoError(t, err, out)
	// Page 1 ends with the watermark review itself; page 2 reaches below it.
	assert.Equal(t, "connector=acme-us outcome=ok pages=2 reviews=2 duplicates=0 malformed_pages=0\n", out, "only new reviews, from the saved cursor")

	got := reviewVersions(t, b.Addr())
	assert.Len(t, got, 11)
	for k, n := range got {
		assert.Equal(t, 1, n, k)
	}

	v.mu.Lock()
	v.fail["1000000002"] = 100
	v.mu.Unlock()
	out, err = run1("--once", "--connector", "other-us")
	require.Error(t, err, "a failed poll exits non-zero")
	assert.Contains(t, out, "connector=other-us outcome=failed")
	_, err = run1("--once", "--connector", "nope")
	assert.ErrorContains(t, err, `no connector "nope"`)
	_, err = run1()
	assert.ErrorIs(t, err, errUsage, "--once is required")
	assert.True(t, strings.Contains(usage, "poll"))
}
