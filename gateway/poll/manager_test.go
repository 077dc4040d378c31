package poll

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/sink"
)

// spreadIDs returns k connector ids on k distinct partitions of n, so two
// instances (each assigned half the partitions, in whatever order the
// broker lists them) almost surely both get some: all k on one side has
// probability 2·C(n-k, n/2-k)/C(n, n/2), 1.6e-4 for k=8 of 16.
func spreadIDs(n, k int) []string {
	var ids []string
	used := map[int]bool{}
	for i := 0; len(ids) < k; i++ {
		id := fmt.Sprintf("feed-%d", i)
		if p := Partition(id, n); !used[p] {
			used[p] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// instance is a running Manager.
type instance struct {
	m    *Manager
	stop context.CancelFunc
	done chan error
}

func start(m *Manager) *instance {
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{m: m, stop: cancel, done: make(chan error, 1)}
	go func() { in.done <- m.Run(ctx) }()
	return in
}

func (in *instance) close(t *testing.T) {
	t.Helper()
	in.stop()
	select {
	case err := <-in.done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30s of cancel")
	}
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("not within %s: %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

// split reports whether a and b own disjoint, non-empty parts of ids that
// together are all of them.
func split(a, b []string, ids []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(a), b...)))
	return slices.Equal(all, slices.Sorted(slices.Values(ids)))
}

// TestTwoInstancesPollEachConnectorOnce: two instances on one config and
// one broker split the connectors; every review is written once; when the
// owner stops, the other takes its connectors over at once.
func TestTwoInstancesPollEachConnectorOnce(t *testing.T) {
	e := newEnv(t, 10)
	cfg := testConfig()
	ids := spreadIDs(cfg.PollersTopic.Partitions, 8)
	var feeds []connectors.PollerConfig
	var all []review
	for _, id := range ids {
		feeds = append(feeds, e.feed(id))
		all = append(all, e.vendor.add(id, 12)...)
	}
	a := start(first(e.manager(cfg, feeds)))
	b := start(first(e.manager(cfg, feeds)))
	defer b.close(t)

	eventually(t, 20*time.Second, "the instances split the connectors", func() bool { return split(a.m.Owned(), b.m.Owned(), ids) })
	t.Logf("A owns %v, B owns %v", a.m.Owned(), b.m.Owned())
	e.waitRecords(len(all), 20*time.Second)
	for _, id := range ids {
		all = append(all, e.vendor.add(id, 3)...)
	}

	a.close(t)
	took := eventually(t, 10*time.Second, "B owns every connector", func() bool { return len(b.m.Owned()) == len(ids) })
	t.Logf("B took over A's connectors %s after A stopped", took)
	assert.Less(t, took, 3*time.Second, "a stopped instance leaves the group: its connectors move at the next heartbeat")
	e.waitRecords(len(all), 20*time.Second)
	time.Sleep(500 * time.Millisecond) // a few more polls: nothing may be written twice
	assert.Equal(t, expect(all), versions(e.records()), "every review exactly once")
}

// cutter simulates a crash of one instance: once cut, its broker
// connections drop and every write fails, as if the process were gone.
type cutter struct {
	cut   atomic.Bool
	mu    sync.Mutex
	conns []net.Conn
}

func (c *cutter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.cut.Load() {
		return nil, errors.New("cut")
	}
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.conns = append(c.conns, conn)
	c.mu.Unlock()
	return conn, nil
}

func (c *cutter) crash() {
	c.cut.Store(true)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		_ = conn.Close()
	}
}

type cutSink struct {
	sink.Sink
	c *cutter
}

func (s cutSink) Write(ctx context.Context, msgs ...sink.Message) error {
	if s.c.cut.Load() {
		return errors.New("cut")
	}
	return s.Sink.Write(ctx, msgs...)
}

// TestCrashedInstanceIsTakenOver: an instance that vanishes without
// leaving the group loses its connectors when its session expires.
func TestCrashedInstanceIsTakenOver(t *testing.T) {
	e := newEnv(t, 10)
	cfg := testConfig()
	ids := spreadIDs(cfg.PollersTopic.Partitions, 8)
	var feeds []connectors.PollerConfig
	var all []review
	for _, id := range ids {
		feeds = append(feeds, e.feed(id))
		all = append(all, e.vendor.add(id, 12)...)
	}
	cut := &cutter{}
	ma, _ := e.manager(cfg, feeds, func(s *Settings) {
		s.Dial = cut.dial
		s.Sink = cutSink{Sink: s.Sink, c: cut}
	})
	mb, _ := e.manager(cfg, feeds)
	a, b := start(ma), start(mb)
	defer b.close(t)
	defer a.close(t)

	eventually(t, 20*time.Second, "the instances split the connectors", func() bool { return split(a.m.Owned(), b.m.Owned(), ids) })
	e.waitRecords(len(all), 20*time.Second)

	cut.crash()
	for _, id := range ids {
		all = append(all, e.vendor.add(id, 3)...)
	}
	took := eventually(t, cfg.SessionTimeout+5*time.Second, "B owns every connector", func() bool { return len(b.m.Owned()) == len(ids) })
	t.Logf("B took over the crashed instance's connectors %s after the crash (session timeout %s)", took, cfg.SessionTimeout)
	e.waitRecords(len(all), 20*time.Second)
	time.Sleep(500 * time.Millisecond)

	// Every review at least once; any repeat is one the duplicates metric
	// counted, never a silent one.
	got, want := versions(e.records()), expect(all)
	extra := 0
	for v := range want {
		require.Positive(t, got[v], "review %s missing", v)
		extra += got[v] - 1
	}
	assert.Len(t, got, len(want))
	counted := 0.0
	for _, id := range ids {
		counted += testutil.ToFloat64(ma.m.duplicates.WithLabelValues(id)) + testutil.ToFloat64(mb.m.duplicates.WithLabelValues(id))
	}
	assert.InDelta(t, float64(extra), counted, 0, "repeats are counted")
}

func first[A, B any](a A, _ B) A { return a }
