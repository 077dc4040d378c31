package sink_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

// Many concurrent writers, each writing its own key in sequence: every
// message arrives once, the messages of one key keep their order and stay
// on one partition, and the producer sends far fewer requests than
// messages (one produce request carries the writes of many requests).
func TestIntegrationProducerBatchesConcurrentWritesInOrder(t *testing.T) {
	b := sinktest.StartBroker(t)
	k := newSink(t, b.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, k.EnsureTopics(ctx))

	const writers, each = 48, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("customer-%02d", w)
			for i := range each {
				fb := sink.Message{Topic: "corridor.feedback.v1", Key: []byte(key), Value: []byte(strconv.Itoa(i)),
					Headers: []sink.Header{{Key: "ce_id", Value: []byte(key + "/" + strconv.Itoa(i))}}}
				raw := sink.Message{Topic: "corridor.raw.v1", Key: []byte(key), Value: []byte("raw " + strconv.Itoa(i))}
				if err := k.Write(ctx, raw, fb); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	got := sinktest.WaitFor(t, b.Addr(), "corridor.feedback.v1", writers*each, 20*time.Second)
	require.Len(t, got, writers*each)
	next := map[string]int{}
	partition := map[string]int{}
	for _, m := range got {
		key := string(m.Key)
		i, err := strconv.Atoi(string(m.Value))
		require.NoError(t, err)
		if p, seen := partition[key]; seen {
			assert.Equal(t, p, m.Partition, "key %s moved partition", key)
		}
		partition[key] = m.Partition
		assert.Equal(t, next[key], i, "key %s out of order", key)
		next[key] = i + 1
		assert.Equal(t, key+"/"+string(m.Value), sinktest.Header(m, "ce_id"))
	}
	assert.Len(t, next, writers)
	raws := sinktest.WaitFor(t, b.Addr(), "corridor.raw.v1", writers*each, 20*time.Second)
	assert.Len(t, raws, writers*each)

	st := k.Stats()
	assert.Equal(t, int64(2*writers*each), st.Messages)
	assert.Less(t, st.Requests, st.Messages/2, "produce requests should carry many writes each")
	assert.Zero(t, st.Errors)
}

// A message larger than the broker accepts fails for good (the caller must
// not spool it forever), and does not hold up the writes queued with it.
func TestIntegrationProducerTooLargeIsPermanent(t *testing.T) {
	b := sinktest.StartBroker(t)
	k := newSink(t, b.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, k.EnsureTopics(ctx))

	noise := make([]byte, 3<<20) // incompressible, so snappy cannot shrink it under the limit
	_, _ = rand.NewChaCha8([32]byte{1}).Read(noise)
	big := sink.Message{Topic: "corridor.feedback.v1", Key: []byte("k"), Value: noise}
	small := sink.Message{Topic: "corridor.feedback.v1", Key: []byte("k"), Value: []byte("small")}
	var wg sync.WaitGroup
	var bigErr, smallErr error
	wg.Add(2)
	go func() { defer wg.Done(); bigErr = k.Write(ctx, big) }()
	go func() { defer wg.Done(); smallErr = k.Write(ctx, small) }()
	wg.Wait()
	require.Error(t, bigErr)
	assert.True(t, sink.Permanent(bigErr), "got %v", bigErr)
	require.NoError(t, smallErr)
	got := sinktest.WaitFor(t, b.Addr(), "corridor.feedback.v1", 1, 10*time.Second)
	require.Len(t, got, 1)
	assert.Equal(t, "small", string(got[0].Value))
}

// After Close, writes fail at once instead of queueing forever.
func TestIntegrationProducerClose(t *testing.T) {
	b := sinktest.StartBroker(t)
	k := newSink(t, b.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, k.EnsureTopics(ctx))
	require.NoError(t, k.Write(ctx, sink.Message{Topic: "corridor.feedback.v1", Key: []byte("a"), Value: []byte("1")}))
	require.NoError(t, k.Close())
	err := k.Write(ctx, sink.Message{Topic: "corridor.feedback.v1", Key: []byte("a"), Value: []byte("2")})
	require.Error(t, err)
	assert.False(t, sink.Permanent(err), "a closed sink is not a bad message")
}

// On a three-broker cluster the producer sends one request per leader, and
// when partition leaders move mid-stream, writes still succeed (after
// NOT_LEADER retries) and each key's order holds.
func TestIntegrationProducerLeaderMove(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.ListenFn(func(network, _ string) (net.Listener, error) {
		return net.Listen(network, "127.0.0.1:0")
	}))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	k := newSink(t, c.ListenAddrs()...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, k.EnsureTopics(ctx))

	const writers, each = 12, 40
	write := func(from, to int) {
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("customer-%02d", w)
				for i := from; i < to; i++ {
					wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
					err := k.Write(wctx, sink.Message{Topic: "corridor.feedback.v1", Key: []byte(key), Value: []byte(strconv.Itoa(i))})
					wcancel()
					if err != nil {
						errs <- fmt.Errorf("%s #%d: %w", key, i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	}
	write(0, each/2)
	// Move every partition to another broker, between two halves of the
	// stream: the producer still routes by the old leaders until it sees
	// NOT_LEADER and its metadata refreshes.
	for p := range int32(3) {
		old := c.LeaderFor("corridor.feedback.v1", p)
		require.NoError(t, c.MoveTopicPartition("corridor.feedback.v1", p, (old+1)%3))
		require.NotEqual(t, old, c.LeaderFor("corridor.feedback.v1", p))
	}
	write(each/2, each)

	got := sinktest.WaitFor(t, c.ListenAddrs()[0], "corridor.feedback.v1", writers*each, 20*time.Second)
	require.Len(t, got, writers*each)
	next := map[string]int{}
	for _, m := range got {
		i, err := strconv.Atoi(string(m.Value))
		require.NoError(t, err)
		assert.Equal(t, next[string(m.Key)], i, "key %s out of order", m.Key)
		next[string(m.Key)] = i + 1
	}
	assert.Len(t, next, writers)
	assert.Positive(t, k.Stats().Retries, "the leader move should have been seen as NOT_LEADER and retried")
}

// A write whose messages for one partition exceed a batch (by count or by
// bytes) is split over several produce requests, still in order, and the
// writes queued behind it keep their place.
func TestIntegrationProducerSplitsLargeWrites(t *testing.T) {
	b := sinktest.StartBroker(t)
	cfg := sink.NewDefaultKafkaConfig()
	cfg.Brokers = []string{b.Addr()}
	cfg.Topics.Feedback.Partitions = 2
	cfg.Topics.Raw.Partitions = 2
	cfg.Topics.DLQ.Partitions = 1
	cfg.BatchSize = 3
	k, err := sink.NewKafka(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, k.EnsureTopics(ctx))

	rng := rand.NewChaCha8([32]byte{2})
	big := func(tag string) []byte {
		v := make([]byte, 600<<10) // two of these overflow a 1 MiB batch
		_, _ = rng.Read(v)
		return append([]byte(tag+":"), v...)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := []byte(fmt.Sprintf("key-%d", w))
			for round := range 3 {
				var msgs []sink.Message
				n := 7 // more than BatchSize
				if w == 0 {
					n = 3 // 1.8 MB for one partition
				}
				for i := range n {
					tag := fmt.Sprintf("%d-%d", round, i)
					v := []byte(tag)
					if w == 0 {
						v = big(tag)
					}
					msgs = append(msgs, sink.Message{Topic: "corridor.feedback.v1", Key: key, Value: v})
				}
				if err := k.Write(ctx, msgs...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	const total = 3*3 + 3*3*7
	got := sinktest.WaitFor(t, b.Addr(), "corridor.feedback.v1", total, 30*time.Second)
	require.Len(t, got, total)
	seen := map[string][]string{}
	for _, m := range got {
		tag, _, _ := strings.Cut(string(m.Value), ":")
		seen[string(m.Key)] = append(seen[string(m.Key)], tag)
	}
	for w := range 4 {
		n := 7
		if w == 0 {
			n = 3
		}
		var want []string
		for round := range 3 {
			for i := range n {
				want = append(want, fmt.Sprintf("%d-%d", round, i))
			}
		}
		assert.Equal(t, want, seen[fmt.Sprintf("key-%d", w)], "key-%d", w)
	}
	assert.Greater(t, k.Stats().Requests, int64(9), "the big writes needed several requests each")
}

// With batch_timeout set, an idle producer waits that long for more writes
// before it sends, so writes that start together share one request.
func TestIntegrationProducerLinger(t *testing.T) {
	b := sinktest.StartBroker(t)
	cfg := sink.NewDefaultKafkaConfig()
	cfg.Brokers = []string{b.Addr()}
	cfg.BatchTimeout = 500 * time.Millisecond
	k, err := sink.NewKafka(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, k.EnsureTopics(ctx))

	before := k.Stats().Requests
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, k.Write(ctx, sink.Message{Topic: "corridor.feedback.v1", Key: []byte(strconv.Itoa(i)), Value: []byte("v")}))
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(20), k.Stats().Messages)
	// Without the linger the first write goes alone and the rest follow in
	// a second request.
	assert.Equal(t, int64(1), k.Stats().Requests-before)
}

// A broker that does not answer holds up only the writes to the partitions
// it leads: a write to a partition of another broker is acknowledged while
// the first is still waiting, and the held write succeeds once the broker
// answers. (With one round in flight for all brokers, the second write
// would wait for the first.)
func TestIntegrationProducerSlowBrokerHoldsOnlyItsPartitions(t *testing.T) {
	const topic = "slow-broker-test"
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(12, topic), kfake.ListenFn(func(network, _ string) (net.Listener, error) {
		return net.Listen(network, "127.0.0.1:0")
	}))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	k := newSink(t, c.ListenAddrs()...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	slow := c.LeaderFor(topic, 0)
	// Keys whose partitions the slow broker leads, and does not lead.
	var slowKey, fastKey string
	var parts []int
	for p := int32(0); c.LeaderFor(topic, p) >= 0; p++ {
		parts = append(parts, int(p))
	}
	require.NotEmpty(t, parts)
	for i := 0; slowKey == "" || fastKey == ""; i++ {
		require.Less(t, i, 10000, "no key for one of the brokers")
		key := fmt.Sprintf("customer-%d", i)
		p := kafka.Murmur2Balancer{Consistent: true}.Balance(kafka.Message{Key: []byte(key)}, parts...)
		if c.LeaderFor(topic, int32(p)) == slow {
			slowKey = cmp.Or(slowKey, key)
		} else {
			fastKey = cmp.Or(fastKey, key)
		}
	}

	// Warm up: connections to every broker and metadata in the caches, so
	// that the writes below need nothing but their produce requests.
	for _, key := range []string{slowKey, fastKey} {
		require.NoError(t, k.Write(ctx, sink.Message{Topic: topic, Key: []byte(key), Value: []byte("warm-up")}))
	}

	held, release := make(chan struct{}), make(chan struct{})
	var once, releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock) // a failing test must not leave the broker asleep
	c.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if c.CurrentNode() == slow {
			once.Do(func() { close(held) })
			c.SleepControl(func() { <-release })
		}
		return nil, nil, false
	})

	slowDone := make(chan error, 1)
	go func() {
		slowDone <- k.Write(ctx, sink.Message{Topic: topic, Key: []byte(slowKey), Value: []byte("held")})
	}()
	select {
	case <-held:
	case <-ctx.Done():
		t.Fatal("the slow broker never saw the produce request")
	}

	fctx, fcancel := context.WithTimeout(ctx, 10*time.Second)
	defer fcancel()
	require.NoError(t, k.Write(fctx, sink.Message{Topic: topic, Key: []byte(fastKey), Value: []byte("fast")}),
		"a write to another broker's partition waited for the slow broker")
	select {
	case err := <-slowDone:
		t.Fatalf("the held write finished before its broker answered: %v", err)
	default:
	}

	unblock()
	require.NoError(t, <-slowDone)
	got := sinktest.WaitFor(t, c.ListenAddrs()[0], topic, 4, 20*time.Second)
	require.Len(t, got, 4)
}
