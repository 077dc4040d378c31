package poll

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/sink"
)

// startupTimeout bounds waiting for the brokers to create the topics.
const startupTimeout = 30 * time.Second

// Settings are the framework's collaborators, set in code.
type Settings struct {
	// Logger logs lifecycle and state changes. Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives the metrics. Required.
	Registerer prometheus.Registerer
	// Sink writes records, raw pages and dead letters (acks=all). Required.
	Sink sink.Sink
	// StateSink writes cursors (acks=all). Default: a kafka-go writer of the
	// framework's own, sharing the connection pool that creates the state
	// topic, so it knows the topic at once (a writer created earlier learns
	// of new topics only at its next metadata refresh).
	StateSink sink.Sink
	// Topics are where records (Feedback), raw pages (Raw) and malformed
	// pages (DLQ) go.
	Topics sink.Topics
	// Brokers are the Kafka bootstrap addresses, for the consumer group,
	// reading cursors back and creating topics. Required.
	Brokers []string
	// ReplicationFactor of the topics created here. Default: 1.
	ReplicationFactor int
	// Analyzer analyzes review text like webhook text. Required.
	Analyzer Analyzer
	// Lookup finds the poller factory of a connector type (allpollers.Lookup).
	// Required when there are connectors.
	Lookup func(typ string) (connectors.PollerFactory, bool)
	// HTTPClient is handed to connectors. Default: a client without a
	// global timeout (each call is bounded by the connector's timeout).
	HTTPClient *http.Client
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Dial connects to the brokers for the consumer group and for reading
	// cursors (tests cut it to simulate a crash). Default: a net.Dialer
	// with a 5s timeout.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
}

// Result is the outcome of one poll of one connector.
type Result struct {
	// Connector is the connector id.
	Connector string
	// Outcome is OutcomeOK, OutcomeBudget, OutcomeRateLimited or
	// OutcomeFailed; "" when the poll was interrupted by shutdown or a
	// change of ownership.
	Outcome string
	// Pages fetched (including malformed ones).
	Pages int
	// Reviews written (new reviews and new versions).
	Reviews int
	// Duplicates among Reviews: written before without their cursor saved.
	Duplicates int
	// Malformed pages dead-lettered.
	Malformed int
	// Restarted is set when a saved paging token was abandoned and the walk
	// restarted from the newest page.
	Restarted bool
	// RetryAfter is the vendor's requested wait, when it gave one.
	RetryAfter time.Duration
	// Err is the failure, when Outcome is not ok or budget.
	Err error
}

// connector is one configured feed and its poller.
type connector struct {
	cfg    connectors.PollerConfig
	poller connectors.Poller
	// resumeFails counts consecutive failed fetches of a saved paging
	// token; only the goroutine polling the connector touches it.
	resumeFails int
}

// Manager polls the configured review feeds; see the package documentation.
type Manager struct {
	cfg   Config
	set   Settings
	log   *slog.Logger
	now   func() time.Time
	m     *metrics
	store *store
	conns []*connector
	byID  map[string]*connector

	transport *kafka.Transport
	writer    *kafka.Writer // the default StateSink; nil when one is set

	mu    sync.Mutex
	owned []string
}

// Close releases the framework's own Kafka writer and connections. Call
// it after Run or PollOnce returned; the sinks in Settings are the
// caller's to close.
func (m *Manager) Close() {
	if m.writer != nil {
		_ = m.writer.Close()
	}
	m.transport.CloseIdleConnections()
}

// New builds a Manager for the given feeds (the `connectors:` list). It
// validates cfg and every feed, and builds each feed's poller. It does not
// contact Kafka.
func New(cfg Config, feeds []connectors.PollerConfig, set Settings) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("poll: config: %w", err)
	}
	if set.Sink == nil || set.Analyzer == nil || set.Registerer == nil || len(set.Brokers) == 0 {
		return nil, errors.New("poll: settings need a sink, an analyzer, a registerer and brokers")
	}
	if len(feeds) > 0 && set.Lookup == nil {
		return nil, errors.New("poll: settings need a poller lookup")
	}
	if set.Logger == nil {
		set.Logger = slog.Default()
	}
	if set.Now == nil {
		set.Now = time.Now
	}
	if set.ReplicationFactor < 1 {
		set.ReplicationFactor = 1
	}
	if set.HTTPClient == nil {
		set.HTTPClient = &http.Client{}
	}
	if set.Dial == nil {
		set.Dial = (&net.Dialer{Timeout: 5 * time.Second}).DialContext
	}
	transport := &kafka.Transport{Dial: set.Dial, ClientID: "corridor-poll", MetadataTTL: 30 * time.Second}
	var own *kafka.Writer
	var state writer = set.StateSink
	if set.StateSink == nil {
		own = &kafka.Writer{
			Addr:         kafka.TCP(set.Brokers...),
			Balancer:     &kafka.Murmur2Balancer{Consistent: true},
			RequiredAcks: kafka.RequireAll,
			BatchTimeout: time.Millisecond,
			Transport:    transport,
			ReadTimeout:  10 * time.Second,
			WriteTimeout: 10 * time.Second,
			MaxAttempts:  3,
		}
		state = kafkaWriter{own}
	}
	m := &Manager{
		transport: transport,
		writer:    own,
		cfg:       cfg, set: set, log: set.Logger, now: set.Now,
		m:    newMetrics(set.Registerer),
		byID: make(map[string]*connector, len(feeds)),
		store: &store{
			client: &kafka.Client{Addr: kafka.TCP(set.Brokers...), Timeout: 10 * time.Second, Transport: transport},
			sink:   state, topics: cfg, replication: set.ReplicationFactor,
		},
	}
	var errs []error
	for i, fc := range feeds {
		fc = fc.WithDefaults()
		prefix := fmt.Sprintf("connectors[%d] (%s): ", i, fc.ID)
		if err := fc.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s%w", prefix, err))
			continue
		}
		if _, dup := m.byID[fc.ID]; dup {
			errs = append(errs, fmt.Errorf("%sid: used twice", prefix))
			continue
		}
		f, ok := set.Lookup(fc.Type)
		if !ok {
			errs = append(errs, fmt.Errorf("%stype: unknown review site %q", prefix, fc.Type))
			continue
		}
		p, err := f.New(fc, connectors.Settings{
			Name: fc.ID, Now: set.Now, HTTPClient: set.HTTPClient,
			Calls: callObserver{m: m.m, id: fc.ID},
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s%w", prefix, err))
			continue
		}
		c := &connector{cfg: fc, poller: p}
		m.conns = append(m.conns, c)
		m.byID[fc.ID] = c
		m.m.init(fc.ID)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("poll: %w", err)
	}
	return m, nil
}

// IDs returns the configured connector ids, in config order.
func (m *Manager) IDs() []string {
	ids := make([]string, len(m.conns))
	for i, c := range m.conns {
		ids[i] = c.cfg.ID
	}
	return ids
}

// Owned returns the ids of the connectors this instance polls now, sorted.
func (m *Manager) Owned() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.owned)
}

func (m *Manager) setOwned(cs []*connector) {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.cfg.ID
	}
	sort.Strings(ids)
	m.mu.Lock()
	m.owned = ids
	m.mu.Unlock()
	m.m.owned.Set(float64(len(ids)))
}

// Partition is the partition of the pollers topic that owns connector id
// when the topic has n partitions.
func Partition(id string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// prepare creates the topics, retrying while the brokers come up, and
// returns the pollers topic's actual partition count.
func (m *Manager) prepare(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	delay := 100 * time.Millisecond
	for {
		err := m.store.ensureTopics(ctx)
		var n int
		if err == nil {
			n, err = m.store.partitions(ctx, m.cfg.PollersTopic.Name)
		}
		if err == nil {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("poll: brokers did not accept the topics within %s: %w", startupTimeout, err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// Run joins the consumer group and polls the connectors of the partitions
// this instance is assigned, until ctx ends; then it stops its pollers and
// leaves the group, so the others take its connectors at once. It returns
// nil on shutdown and an error only when the topics cannot be set up.
func (m *Manager) Run(ctx context.Context) error {
	if len(m.conns) == 0 {
		<-ctx.Done()
		return nil
	}
	n, err := m.prepare(ctx)
	if err != nil {
		return err
	}
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                m.cfg.GroupID,
		Brokers:           m.set.Brokers,
		Topics:            []string{m.cfg.PollersTopic.Name},
		HeartbeatInterval: m.cfg.HeartbeatInterval,
		SessionTimeout:    m.cfg.SessionTimeout,
		RebalanceTimeout:  m.cfg.RebalanceTimeout,
		JoinGroupBackoff:  time.Second,
		Timeout:           5 * time.Second,
		Dialer:            &kafka.Dialer{ClientID: "corridor-poll", Timeout: 5 * time.Second, DialFunc: m.set.Dial},
	})
	if err != nil {
		return fmt.Errorf("poll: consumer group: %w", err)
	}
	m.log.Info("polling review connectors", "connectors", len(m.conns), "group", m.cfg.GroupID, "partitions", n)
	defer func() {
		// Ends the generation (waiting for the pollers) and leaves the group.
		_ = group.Close()
		m.setOwned(nil)
		m.log.Info("stopped polling review connectors")
	}()
	lastErr := ""
	for {
		gen, err := group.Next(ctx)
		switch {
		case ctx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed):
			return nil
		case err != nil:
			// Rebalances surface here as errors; log each new kind once.
			if msg := err.Error(); msg != lastErr && !errors.Is(err, kafka.RebalanceInProgress) {
				m.log.Warn("poll: consumer group", "err", err)
				lastErr = msg
			}
			continue
		}
		lastErr = ""
		parts := map[int]bool{}
		for _, a := range gen.Assignments[m.cfg.PollersTopic.Name] {
			parts[a.ID] = true
		}
		var owned []*connector
		for _, c := range m.conns {
			if parts[Partition(c.cfg.ID, n)] {
				owned = append(owned, c)
			}
		}
		gen.Start(func(gctx context.Context) { m.runGeneration(gctx, gen.ID, owned) })
	}
}

// runGeneration polls owned until the generation ends. It returns only
// then (a function that returns ends the generation).
func (m *Manager) runGeneration(ctx context.Context, gen int32, owned []*connector) {
	m.setOwned(owned)
	defer m.setOwned(nil)
	m.log.Info("poll: assignment", "generation", gen, "connectors", m.Owned())
	if len(owned) == 0 {
		<-ctx.Done()
		return
	}
	states, ok := m.loadRetry(ctx)
	if !ok {
		return
	}
	var wg sync.WaitGroup
	for _, c := range owned {
		st := states[c.cfg.ID]
		wg.Go(func() { m.loop(ctx, c, &st) })
	}
	wg.Wait()
}

// loadRetry reads the cursors, retrying until it succeeds or ctx ends.
func (m *Manager) loadRetry(ctx context.Context) (map[string]State, bool) {
	delay := 100 * time.Millisecond
	for {
		states, bad, err := m.store.load(ctx)
		if err == nil {
			if len(bad) > 0 {
				m.log.Warn("poll: cursors that do not decode are ignored; those connectors start from scratch", "connectors", bad)
			}
			return states, true
		}
		m.log.Warn("poll: reading cursors failed; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil, false
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// loop polls one owned connector every interval until ctx ends.
func (m *Manager) loop(ctx context.Context, c *connector, st *State) {
	next := m.now()
	if !st.PolledAt.IsZero() {
		if due := st.PolledAt.Add(c.cfg.Interval); due.After(next) {
			next = due
		}
	}
	failures := 0
	for {
		if !sleepUntil(ctx, next, m.now) {
			return
		}
		res := m.poll(ctx, c, st)
		now := m.now()
		switch res.Outcome {
		case "":
			return // interrupted
		case OutcomeOK, OutcomeBudget:
			if failures > 0 {
				m.log.Info("poll: connector recovered", "connector", c.cfg.ID, "failed_polls", failures)
			}
			failures = 0
			next = now.Add(jitter(c.cfg.Interval, 0.1))
		default:
			failures++
			if failures == 1 {
				m.log.Warn("poll: connector failing; retrying with backoff", "connector", c.cfg.ID, "outcome", res.Outcome, "err", res.Err)
			}
			d := m.backoff(failures, c.cfg.Interval)
			if res.RetryAfter > d {
				d = res.RetryAfter
			}
			next = now.Add(d)
		}
	}
}

// backoff is the wait after n consecutive failures: Backoff·2^(n-1),
// capped at MaxBackoff and the interval, of which a random half is jitter.
func (m *Manager) backoff(n int, interval time.Duration) time.Duration {
	d := min(m.cfg.MaxBackoff, interval)
	if shift := n - 1; shift < 30 {
		if b := m.cfg.Backoff << shift; b > 0 && b < d {
			d = b
		}
	}
	half := d / 2
	return half + time.Duration(rand.Float64()*float64(half))
}

// jitter returns d lengthened by up to frac of itself, at random, so
// instances restarted together do not poll in lockstep.
func jitter(d time.Duration, frac float64) time.Duration {
	return d + time.Duration(rand.Float64()*frac*float64(d))
}

// sleepUntil waits until t or ctx ends; false when ctx ended.
func sleepUntil(ctx context.Context, t time.Time, now func() time.Time) bool {
	d := t.Sub(now())
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// PollOnce polls each connector named in ids (all when ids is empty) once,
// whoever owns it, and saves their cursors: backfill and debugging. It
// creates the topics when missing. The error reports unknown ids and setup
// failures; each poll's own failure is in its Result.
func (m *Manager) PollOnce(ctx context.Context, ids ...string) ([]Result, error) {
	var todo []*connector
	if len(ids) == 0 {
		todo = m.conns
	}
	for _, id := range ids {
		c, ok := m.byID[id]
		if !ok {
			return nil, fmt.Errorf("poll: no connector %q (configured: %v)", id, m.IDs())
		}
		todo = append(todo, c)
	}
	if len(todo) == 0 {
		return nil, nil
	}
	if _, err := m.prepare(ctx); err != nil {
		return nil, err
	}
	states, bad, err := m.store.load(ctx)
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		m.log.Warn("poll: cursors that do not decode are ignored; those connectors start from scratch", "connectors", bad)
	}
	out := make([]Result, 0, len(todo))
	for _, c := range todo {
		st := states[c.cfg.ID]
		out = append(out, m.poll(ctx, c, &st))
	}
	return out, nil
}
