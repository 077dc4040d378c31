package poll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
	"github.com/corridorhq/corridor/nlp"
)

var analyzer = sync.OnceValues(func() (*nlp.Analyzer, error) { return nlp.New(nlp.NewDefaultConfig()) })

// env is one broker with Corridor's topics, and a fake vendor.
type env struct {
	t      *testing.T
	addr   string
	sink   *sink.Kafka
	topics sink.Topics
	vendor *fakeVendor
}

func newEnv(t *testing.T, pageSize int) *env {
	t.Helper()
	b := sinktest.StartBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The poll topics exist before the shared sink's first metadata fetch,
	// so tests can also pass it as StateSink.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	st := &store{client: &kafka.Client{Addr: kafka.TCP(b.Addr()), Transport: tr}, topics: testConfig(), replication: 1}
	require.NoError(t, st.ensureTopics(ctx))
	kcfg := sink.NewDefaultKafkaConfig()
	kcfg.Brokers = []string{b.Addr()}
	k, err := sink.NewKafka(kcfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	require.NoError(t, k.EnsureTopics(ctx))
	return &env{t: t, addr: b.Addr(), sink: k, topics: kcfg.Topics, vendor: newFakeVendor(t, pageSize)}
}

// testConfig is the default config with test-sized timings.
func testConfig() Config {
	cfg := NewDefaultConfig()
	cfg.SessionTimeout = 6 * time.Second // the broker's minimum
	cfg.HeartbeatInterval = 200 * time.Millisecond
	cfg.RebalanceTimeout = 5 * time.Second
	cfg.WriteTimeout = 5 * time.Second
	cfg.Backoff = 20 * time.Millisecond
	cfg.MaxBackoff = 200 * time.Millisecond
	return cfg
}

func (e *env) feed(id string) connectors.PollerConfig {
	return connectors.PollerConfig{
		Type: "fake", ID: id, BaseURL: e.vendor.srv.URL,
		Interval: 100 * time.Millisecond, Timeout: 5 * time.Second,
		Defaults: connectors.Defaults{Touchpoint: "app-store"},
	}
}

// manager builds a Manager ("an instance") with its own registry.
func (e *env) manager(cfg Config, feeds []connectors.PollerConfig, mods ...func(*Settings)) (*Manager, *prometheus.Registry) {
	e.t.Helper()
	a, err := analyzer()
	require.NoError(e.t, err)
	reg := prometheus.NewRegistry()
	set := Settings{
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registerer: reg, Sink: e.sink, Topics: e.topics, Brokers: []string{e.addr},
		Analyzer: a, Lookup: fakeLookup,
	}
	for _, mod := range mods {
		mod(&set)
	}
	m, err := New(cfg, feeds, set)
	require.NoError(e.t, err)
	e.t.Cleanup(m.Close)
	return m, reg
}

// records reads the feedback topic back from the broker.
func (e *env) records() []feedback.Record {
	e.t.Helper()
	return e.decode(e.read(e.topics.Feedback.Name))
}

func (e *env) read(topic string) []kafkaMsg {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := sinktest.ReadAll(ctx, e.addr, topic)
	require.NoError(e.t, err)
	out := make([]kafkaMsg, len(msgs))
	for i, m := range msgs {
		out[i] = kafkaMsg{value: m.Value, headers: map[string]string{}}
		for _, h := range m.Headers {
			out[i].headers[h.Key] = string(h.Value)
		}
	}
	return out
}

type kafkaMsg struct {
	value   []byte
	headers map[string]string
}

func (e *env) decode(msgs []kafkaMsg) []feedback.Record {
	e.t.Helper()
	out := make([]feedback.Record, len(msgs))
	for i, m := range msgs {
		require.NoError(e.t, json.Unmarshal(m.value, &out[i]))
	}
	return out
}

// waitRecords polls the feedback topic until it holds at least n records.
func (e *env) waitRecords(n int, timeout time.Duration) []feedback.Record {
	e.t.Helper()
	var out []kafkaMsg
	for _, m := range sinktest.WaitFor(e.t, e.addr, e.topics.Feedback.Name, n, timeout) {
		out = append(out, kafkaMsg{value: m.Value})
	}
	return e.decode(out)
}

// versions counts each review version ("<external id>@<version>") in recs.
func versions(recs []feedback.Record) map[string]int {
	out := map[string]int{}
	for _, r := range recs {
		out[fmt.Sprintf("%s@%d", r.EventID, r.Version)]++
	}
	return out
}

// expect is the multiset of review versions a set of reviews yields once each.
func expect(reviews ...[]review) map[string]int {
	out := map[string]int{}
	for _, rs := range reviews {
		for _, r := range rs {
			out[fmt.Sprintf("%s@%d", r.ID, r.Updated)]++
		}
	}
	return out
}

func poll1(t *testing.T, m *Manager, id string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := m.PollOnce(ctx, id)
	require.NoError(t, err)
	require.Len(t, res, 1)
	return res[0]
}

// TestPollPagingFaultsAndEdits walks a 4-page feed through a 500, a 429
// with Retry-After and a malformed page, then picks up an edit and new
// reviews, reading every record back from Kafka.
func TestPollPagingFaultsAndEdits(t *testing.T) {
	e := newEnv(t, 10)
	all := e.vendor.add("shop", 40) // pages "", o10, o20, o30, newest first
	e.vendor.inject("shop", "o10", fault{status: 500}, fault{status: 429, retryAfter: "2"})
	e.vendor.inject("shop", "o20", fault{malformed: true})
	m, reg := e.manager(testConfig(), []connectors.PollerConfig{e.feed("shop")})

	// 1: the first page is written, the second fails with 500.
	res := poll1(t, m, "shop")
	assert.Equal(t, OutcomeFailed, res.Outcome)
	require.ErrorIs(t, res.Err, connectors.ErrUpstream)
	assert.Equal(t, 10, res.Reviews)
	// 2: resumes at the failed page; 429 with Retry-After.
	res = poll1(t, m, "shop")
	assert.Equal(t, OutcomeRateLimited, res.Outcome)
	assert.Equal(t, 2*time.Second, res.RetryAfter)
	assert.Zero(t, res.Reviews)
	// 3: the page succeeds, the malformed one is dead-lettered, the walk
	// goes on to the last page.
	res = poll1(t, m, "shop")
	assert.Equal(t, OutcomeOK, res.Outcome, res.Err)
	assert.Equal(t, 20, res.Reviews)
	assert.Equal(t, 1, res.Malformed)
	assert.Equal(t, 3, res.Pages)
	// 4: nothing new: one page, nothing written.
	res = poll1(t, m, "shop")
	assert.Equal(t, Result{Connector: "shop", Outcome: OutcomeOK, Pages: 1}, res)
	assert.Equal(t, []string{"", "o10", "o10", "o10", "o20", "o30", ""}, e.vendor.requested("shop"))

	// Every review of a good page once; the malformed page's in the DLQ.
	recs := e.records()
	want := expect(all[:10], all[20:])
	assert.Equal(t, want, versions(recs))
	for _, r := range recs {
		require.NoError(t, r.Validate())
		assert.Equal(t, "shop", r.Source)
		assert.Equal(t, feedback.KindReview, r.Kind)
		assert.Equal(t, "app-store", r.Touchpoint, "connector defaults apply")
		assert.NotNil(t, r.Sentiment, "analyzed")
		assert.NotEmpty(t, r.Themes, "analyzed")
		assert.NotNil(t, r.Score)
		assert.Equal(t, feedback.NewID("shop", r.EventID), r.ID)
	}
	dlq := e.read(e.topics.DLQ.Name)
	require.Len(t, dlq, 1)
	assert.Equal(t, ReasonMalformedPage, dlq[0].headers[sink.HeaderReason])
	assert.Equal(t, "shop", dlq[0].headers[sink.HeaderSource])
	assert.Equal(t, "o20", dlq[0].headers[sink.HeaderURI])
	assert.Contains(t, string(dlq[0].value), `"rating":"five"`, "the page's bytes")
	raw := e.read(e.topics.Raw.Name)
	require.Len(t, raw, 3, "one raw copy per page that yielded records")
	for _, r := range raw {
		assert.Equal(t, "POLL", r.headers[sink.HeaderMethod])
		assert.NotEmpty(t, r.headers[sink.HeaderRecordIDs])
	}

	// An edit moves an old review to the top as a new version; two new
	// reviews arrive. One page is enough.
	added := e.vendor.add("shop", 2)
	edited := e.vendor.edit("shop", all[5].ID, "Edited: support fixed it, five stars.")
	res = poll1(t, m, "shop")
	assert.Equal(t, OutcomeOK, res.Outcome, res.Err)
	assert.Equal(t, 3, res.Reviews)
	assert.Equal(t, 1, res.Pages)
	recs = e.records()
	want = expect(all[:10], all[20:], added, []review{edited})
	assert.Equal(t, want, versions(recs))
	var texts []string
	for _, r := range recs {
		if r.EventID == edited.ID {
			texts = append(texts, r.Text)
			assert.Equal(t, feedback.NewID("shop", edited.ID), r.ID, "same record id for every version")
		}
	}
	assert.Len(t, texts, 2)
	assert.Contains(t, texts[1], "Edited")

	// Metrics.
	assert.InDelta(t, 3, testutil.ToFloat64(m.m.polls.WithLabelValues("shop", OutcomeOK)), 0)
	assert.InDelta(t, 1, testutil.ToFloat64(m.m.polls.WithLabelValues("shop", OutcomeFailed)), 0)
	assert.InDelta(t, 1, testutil.ToFloat64(m.m.polls.WithLabelValues("shop", OutcomeRateLimited)), 0)
	assert.InDelta(t, 33, testutil.ToFloat64(m.m.reviews.WithLabelValues("shop")), 0)
	assert.InDelta(t, 1, testutil.ToFloat64(m.m.apiErrors.WithLabelValues("shop", ReasonUpstream)), 0)
	assert.InDelta(t, 1, testutil.ToFloat64(m.m.apiErrors.WithLabelValues("shop", ReasonRateLimited)), 0)
	assert.InDelta(t, 1, testutil.ToFloat64(m.m.apiErrors.WithLabelValues("shop", ReasonMalformedPage)), 0)
	assert.Zero(t, testutil.ToFloat64(m.m.duplicates.WithLabelValues("shop")))
	assert.Positive(t, testutil.ToFloat64(m.m.lastSuccess.WithLabelValues("shop")))
	assert.Positive(t, testutil.ToFloat64(m.m.newestAge.WithLabelValues("shop")))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	assert.Empty(t, problems)
}

// crashMidWalk starts a poll of feed "shop" that hangs on page token,
// lets mutate change the feed meanwhile, then kills the poll (the
// instance dies) and waits for it to return.
func crashMidWalk(t *testing.T, e *env, m *Manager, token string, mutate func()) Result {
	t.Helper()
	release := e.vendor.blockAt("shop", token)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() {
		res, err := m.PollOnce(ctx, "shop")
		if err != nil || len(res) != 1 {
			done <- Result{Err: fmt.Errorf("poll once: %v %v", res, err)}
			return
		}
		done <- res[0]
	}()
	select {
	case key := <-e.vendor.blocked:
		require.Equal(t, "shop/"+token, key)
	case <-time.After(20 * time.Second):
		t.Fatal("the walk never reached page " + token)
	}
	mutate()
	cancel()
	select {
	case res := <-done:
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("poll did not stop on cancel")
	}
	return Result{}
}

// TestRestartMidWalkResumes: an instance dies while walking; a new one
// resumes at the saved page token, even though new reviews pushed the
// list down meanwhile: no gap, no repeat.
func TestRestartMidWalkResumes(t *testing.T) {
	e := newEnv(t, 10)
	all := e.vendor.add("shop", 40)
	a, _ := e.manager(testConfig(), []connectors.PollerConfig{e.feed("shop")})
	var added []review
	res := crashMidWalk(t, e, a, "o20", func() { added = e.vendor.add("shop", 3) })
	assert.Empty(t, res.Outcome, "interrupted")
	assert.Equal(t, 20, res.Reviews)
	before := len(e.vendor.requested("shop"))

	b, reg := e.manager(testConfig(), []connectors.PollerConfig{e.feed("shop")})
	res = poll1(t, b, "shop")
	assert.Equal(t, OutcomeOK, res.Outcome, res.Err)
	assert.Equal(t, 20, res.Reviews)
	assert.Zero(t, res.Duplicates)
	assert.Equal(t, []string{"o20", "o30", "o40"}, e.vendor.requested("shop")[before:], "resumes at the saved token")
	res = poll1(t, b, "shop")
	assert.Equal(t, 3, res.Reviews, "then the reviews that arrived meanwhile")
	assert.Equal(t, expect(all, added), versions(e.records()), "every review exactly once")
	assert.Zero(t, testutil.ToFloat64(b.m.duplicates.WithLabelValues("shop")))
	_ = reg
}

// TestExpiredTokenRestartsFromTop: a saved paging token older than
// paging_ttl is dropped; the walk restarts from the newest page and skips
// what it already wrote.
func TestExpiredTokenRestartsFromTop(t *testing.T) {
	e := newEnv(t, 10)
	all := e.vendor.add("shop", 40)
	a, _ := e.manager(testConfig(), []connectors.PollerConfig{e.feed("shop")})
	var added []review
	crashMidWalk(t, e, a, "o20", func() { added = e.vendor.add("shop", 3) })
	before := len(e.vendor.requested("shop"))

	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	b, _ := e.manager(testConfig(), []connectors.PollerConfig{e.feed("shop")}, func(s *Settings) { s.Now = later })
	res := poll1(t, b, "shop")
	assert.Equal(t, OutcomeOK, res.Outcome, res.Err)
	assert.True(t, res.Restarted)
	assert.Equal(t, 23, res.Reviews)
	assert.Zero(t, res.Duplicates)
	assert.Equal(t, []string{"", "o10", "o20", "o30", "o40"}, e.vendor.requested("shop")[before:])
	assert.Equal(t, expect(all, added), versions(e.records()), "every review exactly once")
	res = poll1(t, b, "shop")
	assert.Equal(t, Result{Connector: "shop", Outcome: OutcomeOK, Pages: 1}, res, "the watermark is the newest review")
}

// TestRejectedTokenRestartsFromTop: a saved token that keeps failing is
// abandoned after resume_attempts polls.
func TestRejectedTokenRestartsFromTop(t *testing.T) {
	e := newEnv(t, 10)
	all := e.vendor.add("shop", 25)
	e.vendor.inject("shop", "o10", fault{status: 500}, fault{status: 400}, fault{status: 400}, fault{status: 400})
	cfg := testConfig()
	cfg.ResumeAttempts = 3
	m, _ := e.manager(cfg, []connectors.PollerConfig{e.feed("shop")})
	for range 3 {
		assert.Equal(t, OutcomeFailed, poll1(t, m, "shop").Outcome)
	}
	res := poll1(t, m, "shop")
	assert.True(t, res.Restarted)
	assert.Equal(t, OutcomeFailed, res.Outcome, "the top page is fine, o10 still fails")
	res = poll1(t, m, "shop")
	assert.Equal(t, OutcomeOK, res.Outcome, res.Err)
	assert.Equal(t, expect(all), versions(e.records()))
}

// failingSink fails the cursor save that would follow a page's records.
type failingSink struct {
	sink.Sink
	stateTopic string
	failToken  string
	once       sync.Once
}

func (s *failingSink) Write(ctx context.Context, msgs ...sink.Message) error {
	for _, m := range msgs {
		if m.Topic != s.stateTopic {
			continue
		}
		var st State
		if json.Unmarshal(m.Value, &st) == nil && st.Paging != nil && st.Paging.Token == s.failToken && len(st.Paging.Inflight) == 0 {
			fail := false
			s.once.Do(func() { fail = true })
			if fail {
				return errors.New("injected: broker lost before the cursor was saved")
			}
		}
	}
	return s.Sink.Write(ctx, msgs...)
}

// TestCrashBetweenRecordsAndCursor: records acknowledged, cursor not
// saved, instance gone. The next one writes that page again (at least
// once) and counts the duplicates.
func TestCrashBetweenRecordsAndCursor(t *testing.T) {
	e := newEnv(t, 10)
	all := e.vendor.add("shop", 30)
	cfg := testConfig()
	fs := &failingSink{Sink: e.sink, stateTopic: cfg.StateTopic.Name, failToken: "o20"}
	a, _ := e.manager(cfg, []connectors.PollerConfig{e.feed("shop")}, func(s *Settings) { s.StateSink = fs })
	res := poll1(t, a, "shop")
	assert.Equal(t, OutcomeFailed, res.Outcome)
	assert.Equal(t, 20, res.Reviews, "page o10's records are in Kafka")

	b, _ := e.manager(cfg, []connectors.PollerConfig{e.feed("shop")})
	res = poll1(t, b, "shop")
	assert.Equal(t, OutcomeOK, res.Outcome, res.Err)
	assert.Equal(t, 20, res.Reviews)
	assert.Equal(t, 10, res.Duplicates)
	assert.InDelta(t, 10, testutil.ToFloat64(b.m.duplicates.WithLabelValues("shop")), 0)
	want := expect(all, all[10:20]) // page o10 twice
	assert.Equal(t, want, versions(e.records()))
}

func TestNewRejectsBadFeeds(t *testing.T) {
	e := newEnv(t, 10)
	a, err := analyzer()
	require.NoError(t, err)
	set := Settings{Registerer: prometheus.NewRegistry(), Sink: e.sink, Brokers: []string{e.addr}, Analyzer: a, Lookup: fakeLookup}
	reset := func() Settings { s := set; s.Registerer = prometheus.NewRegistry(); return s }
	_, err = New(testConfig(), []connectors.PollerConfig{
		e.feed("a"), e.feed("a"),
		{Type: "nope", ID: "b"},
		{Type: "fake", ID: "c"}, // the factory wants a base_url
		{Type: "fake"},
	}, set)
	require.Error(t, err)
	for _, want := range []string{"id: used twice", `unknown review site "nope"`, "base_url: empty", "id: empty"} {
		assert.ErrorContains(t, err, want)
	}
	_, err = New(testConfig(), nil, Settings{})
	assert.ErrorContains(t, err, "settings need")
	m, err := New(testConfig(), nil, reset())
	require.NoError(t, err)
	_, err = m.PollOnce(context.Background(), "missing")
	assert.ErrorContains(t, err, `no connector "missing"`)
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, NewDefaultConfig().Validate())
	bad := Config{HeartbeatInterval: time.Minute, SessionTimeout: time.Second, RebalanceTimeout: time.Second}
	err := bad.Validate()
	for _, want := range []string{"state_topic.name: empty", "pollers_topic.partitions: 0", "group_id: empty", "heartbeat_interval", "write_timeout", "backoff", "paging_ttl", "resume_attempts"} {
		assert.ErrorContains(t, err, want)
	}
}

func TestPartitionIsStable(t *testing.T) {
	// Instances must agree forever: pin a few values.
	assert.Equal(t, Partition("shop", 16), Partition("shop", 16))
	got := map[string]int{}
	for _, id := range []string{"a", "b", "shop", "gbp-paris"} {
		got[id] = Partition(id, 16)
	}
	assert.Equal(t, map[string]int{"a": 12, "b": 5, "shop": 9, "gbp-paris": 10}, got)
}
