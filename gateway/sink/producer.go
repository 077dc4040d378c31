package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	produceapi "github.com/segmentio/kafka-go/protocol/produce"
	"github.com/segmentio/kafka-go/protocol/rawproduce"
)

// producer is "one producer, many waiters": every Write queues its messages
// and waits, and a single loop sends everything queued in one produce
// request per leader broker, with all of that broker's partitions of all
// topics in it. While a broker's request is in flight, new writes for it
// queue up and go together in its next one, so the batch grows with the load
// and there is one round trip per broker at a time, not one per request or
// per partition.
//
// Each broker has at most one request in flight, and so has each partition
// (also across a leader move), so the messages of one partition reach the
// broker in the order their writes were queued, retries included: a failed
// partition batch is sent again before anything queued after it. Brokers do
// not wait for each other: a slow or hung broker holds up only the writes to
// the partitions it leads.
type producer struct {
	transport *kafka.Transport
	addr      net.Addr
	client    *kafka.Client
	acks      int16
	attrs     protocol.Attributes
	maxBytes  int           // most record bytes in one partition batch
	maxMsgs   int           // most records in one partition batch
	linger    time.Duration // when idle, wait for more writes before sending
	timeout   time.Duration // bounds a request when no waiter has a later deadline

	mu      sync.Mutex
	seq     uint64
	queue   []*waiter
	closing bool
	wake    chan struct{}
	done    chan struct{}

	statsMu sync.Mutex
	stats   ProducerStats
}

// ProducerStats are cumulative counts of the producer's work.
type ProducerStats struct {
	// Requests is the number of produce requests sent.
	Requests int64
	// Messages is the number of messages acknowledged.
	Messages int64
	// Retries is the number of partition batches sent again after a
	// retriable error.
	Retries int64
	// Errors is the number of failed produce requests and partition batches.
	Errors int64
}

// waiter is one Write: its messages, their partitions, and which are acked.
type waiter struct {
	seq   uint64 // queue order
	ctx   context.Context
	msgs  []Message
	parts []int32
	acked []bool
	left  int
	done  chan error // buffered: the loop never blocks on a gone writer
}

type topicMeta struct {
	partitions []int // 0..n-1, for the balancer
	leaders    map[int32]int
}

func newProducer(transport *kafka.Transport, addr net.Addr, client *kafka.Client, cfg KafkaConfig) *producer {
	p := &producer{
		transport: transport,
		addr:      addr,
		client:    client,
		acks:      int16(kafka.RequireAll),
		attrs:     protocol.Attributes(codecs[cfg.Compression]) & 0x7,
		maxBytes:  maxBatchBytes,
		maxMsgs:   cfg.BatchSize,
		linger:    cfg.BatchTimeout,
		timeout:   10 * time.Second,
		wake:      make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
	go p.loop()
	return p
}

// maxBatchBytes keeps a partition batch under the broker's default
// message.max.bytes (1 MiB), with room for the batch framing.
const maxBatchBytes = 1<<20 - 16<<10

var errClosed = errors.New("sink: closed")

// write queues msgs and waits until all are acknowledged, one fails for
// good, or ctx ends.
func (p *producer) write(ctx context.Context, msgs []Message) error {
	w := &waiter{ctx: ctx, msgs: msgs, acked: make([]bool, len(msgs)), left: len(msgs), done: make(chan error, 1)}
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		return errClosed
	}
	p.seq++
	w.seq = p.seq
	p.queue = append(p.queue, w)
	p.mu.Unlock()
	p.signal()
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops taking writes and waits until the queued ones are done (acked,
// failed or given up by their writers).
func (p *producer) close() {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	p.signal()
	<-p.done
}

// signal wakes the loop if it waits for work.
func (p *producer) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// sent is one produce request to one leader broker and its outcome.
type sent struct {
	leader  int
	batches []*batch
	resp    *produceapi.Response
	err     error
}

func (p *producer) loop() {
	defer close(p.done)
	var (
		pending  []*waiter // unsettled writes, in queue order
		meta     map[string]*topicMeta
		metaAt   time.Time
		idle     = true
		backoff  time.Duration         // after failed metadata reads
		notUntil time.Time             // no request before then (backoff)
		retryAt  = map[int]time.Time{} // per leader: no request before then
		backoffs = map[int]time.Duration{}
		busy     = map[int]bool{}  // leaders with a request in flight
		busyPart = map[key]bool{}  // partitions with a batch in flight
		results  = make(chan sent) // unbuffered: the loop receives every one
		timer    *time.Timer
	)
	for {
		p.mu.Lock()
		pending = append(pending, p.queue...)
		p.queue = nil
		closing := p.closing
		p.mu.Unlock()
		pending = unsettled(pending)
		if len(pending) == 0 && len(busy) == 0 {
			if closing {
				return
			}
			<-p.wake
			idle = true
			continue
		}
		now := time.Now()
		if len(pending) > 0 && idle && p.linger > 0 && len(busy) == 0 {
			// Idle until now: give concurrent writes a moment to join.
			sleep(pending, p.linger)
			idle = false
			continue
		}
		idle = false
		var wait time.Duration // until a backoff ends; 0: none pending
		// With every leader busy, nothing can go out before a result comes
		// back: new writes wait in the queue without waking the loop.
		wake := p.wake
		if allBusy(meta, busy) {
			wake = nil
		}
		if len(pending) > 0 && !now.Before(notUntil) && wake != nil {
			if meta == nil || time.Since(metaAt) > metadataMaxAge || !covers(meta, pending) {
				m, err := p.metadata(pending, meta)
				if err != nil {
					backoff = nextBackoff(backoff)
					notUntil = time.Now().Add(backoff)
					continue
				}
				meta, metaAt, backoff = m, time.Now(), 0
			}
			wait = p.dispatch(pending, meta, busy, busyPart, retryAt, results)
		} else if len(pending) > 0 {
			wait = notUntil.Sub(now)
		}
		var timeout <-chan time.Time
		if wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			timeout = timer.C
		}
		select {
		case r := <-results:
			delete(busy, r.leader)
			for _, b := range r.batches {
				delete(busyPart, b.key)
			}
			if p.settle(r) {
				delete(backoffs, r.leader)
				delete(retryAt, r.leader)
			} else {
				backoffs[r.leader] = nextBackoff(backoffs[r.leader])
				retryAt[r.leader] = time.Now().Add(backoffs[r.leader])
				meta = nil // leaders may have moved
			}
		case <-wake:
		case <-timeout:
		}
		if timer != nil {
			timer.Stop() // since Go 1.23 a stopped timer delivers nothing stale
		}
	}
}

// allBusy reports whether every leader broker of meta has a request in
// flight. After a dispatch, every message left unsent waits for a busy or
// backing-off leader (or a busy partition), so while all are busy a new write
// cannot go out either.
func allBusy(meta map[string]*topicMeta, busy map[int]bool) bool {
	if meta == nil || len(busy) == 0 {
		return false
	}
	for _, tm := range meta {
		for _, l := range tm.leaders {
			if !busy[l] {
				return false
			}
		}
	}
	return true
}

// metadataMaxAge is how long the producer routes with one metadata view
// before it reads the transport's (itself refreshed every MetadataTTL).
const metadataMaxAge = time.Second

// covers reports whether meta knows every topic the waiters write.
func covers(meta map[string]*topicMeta, ws []*waiter) bool {
	for _, w := range ws {
		for _, m := range w.msgs {
			if meta[m.Topic] == nil {
				return false
			}
		}
	}
	return true
}

// unsettled drops waiters that are settled or whose writer has gone (its
// context ended). A gone writer's messages already in flight are settled
// by their request as usual; the rest are never sent.
func unsettled(ws []*waiter) []*waiter {
	out := ws[:0]
	for _, w := range ws {
		if w.left > 0 && w.ctx.Err() == nil {
			out = append(out, w)
		}
	}
	clear(ws[len(out):])
	return out
}

// sleep waits d, or less if every waiter's context ends first.
func sleep(ws []*waiter, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	ctx := ws[0].ctx
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func nextBackoff(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return 20 * time.Millisecond
	case d >= 500*time.Millisecond:
		return time.Second
	default:
		return 2 * d
	}
}

// metadata reads the partitions and leaders of every topic the waiters
// write and of the known ones, from the transport's cached cluster view
// (the one it routes requests with).
func (p *producer) metadata(ws []*waiter, known map[string]*topicMeta) (map[string]*topicMeta, error) {
	var names []string
	seen := map[string]bool{}
	for name := range known {
		seen[name] = true
		names = append(names, name)
	}
	for _, w := range ws {
		for _, m := range w.msgs {
			if !seen[m.Topic] {
				seen[m.Topic] = true
				names = append(names, m.Topic)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	resp, err := p.client.Metadata(ctx, &kafka.MetadataRequest{Topics: names})
	if err != nil {
		return nil, fmt.Errorf("sink: metadata: %w", err)
	}
	out := make(map[string]*topicMeta, len(resp.Topics))
	for _, t := range resp.Topics {
		if t.Error != nil {
			return nil, fmt.Errorf("sink: metadata of %s: %w", t.Name, t.Error)
		}
		tm := &topicMeta{partitions: make([]int, len(t.Partitions)), leaders: make(map[int32]int, len(t.Partitions))}
		for i, part := range t.Partitions {
			tm.partitions[i] = i
			tm.leaders[int32(part.ID)] = part.Leader.ID
		}
		if len(tm.partitions) == 0 {
			return nil, fmt.Errorf("sink: metadata of %s: no partitions", t.Name)
		}
		out[t.Name] = tm
	}
	return out, nil
}

// key names a topic partition.
type key struct {
	topic string
	part  int32
}

// batch is the records of one topic partition in one request, with the
// waiter and message index of each.
type batch struct {
	key
	msgs  []*Message
	from  []msgRef
	bytes int
}

type msgRef struct {
	w *waiter
	i int
}

// dispatch builds one request for every leader broker that has none in
// flight and is not backing off, from the unsent messages of pending in
// queue order, and sends each in its own goroutine, which reports on
// results. A partition whose batch is in flight, whose leader is busy or
// backing off, or whose batch is full gets nothing more this time, so no
// later message of it can overtake an earlier one. It returns how long until
// a leader's backoff ends when that is what holds messages back, else 0.
func (p *producer) dispatch(pending []*waiter, meta map[string]*topicMeta, busy map[int]bool, busyPart map[key]bool, retryAt map[int]time.Time, results chan<- sent) time.Duration {
	batches := map[key]*batch{}
	closed := map[key]bool{}
	byLeader := map[int][]*batch{}
	deadlines := map[int]time.Time{}
	var leaders []int
	now := time.Now()
	var wait time.Duration
	for _, w := range pending {
		if w.parts == nil {
			w.parts = make([]int32, len(w.msgs))
			for i, m := range w.msgs {
				tm := meta[m.Topic]
				if tm == nil {
					w.fail(fmt.Errorf("sink: topic %s: %w", m.Topic, kafka.UnknownTopicOrPartition))
					break
				}
				w.parts[i] = int32(kafka.Murmur2Balancer{Consistent: true}.Balance(kafka.Message{Key: m.Key}, tm.partitions...))
			}
			if w.left == 0 {
				continue
			}
		}
		for i, m := range w.msgs {
			if w.acked[i] {
				continue
			}
			k := key{m.Topic, w.parts[i]}
			if closed[k] {
				continue
			}
			l := meta[m.Topic].leaders[k.part]
			if busy[l] || busyPart[k] {
				closed[k] = true
				continue
			}
			if at, ok := retryAt[l]; ok && now.Before(at) {
				if d := at.Sub(now); wait == 0 || d < wait {
					wait = d
				}
				closed[k] = true
				continue
			}
			b := batches[k]
			if b == nil {
				b = &batch{key: k}
				batches[k] = b
				if _, ok := byLeader[l]; !ok {
					leaders = append(leaders, l)
				}
				byLeader[l] = append(byLeader[l], b)
			} else if b.bytes+recordBytes(m) > p.maxBytes || len(b.msgs) >= p.maxMsgs {
				closed[k] = true
				continue
			}
			b.msgs = append(b.msgs, &w.msgs[i])
			b.from = append(b.from, msgRef{w, i})
			b.bytes += recordBytes(m)
			if d, ok := w.ctx.Deadline(); ok && d.After(deadlines[l]) {
				deadlines[l] = d
			}
		}
	}
	for _, l := range leaders {
		busy[l] = true
		bs := byLeader[l]
		for _, b := range bs {
			busyPart[b.key] = true
		}
		deadline := now.Add(p.timeout)
		if d := deadlines[l]; d.After(deadline) {
			deadline = d
		}
		timeoutMs := int32(time.Until(deadline) / time.Millisecond)
		go func() {
			ctx, cancel := context.WithDeadline(context.Background(), deadline)
			defer cancel()
			r := sent{leader: l, batches: bs}
			buf := requestBufs.Get().(*requestBuf)
			req, err := p.request(buf, bs, now.UnixMilli(), timeoutMs)
			if err != nil {
				r.err = err
				results <- r
				return
			}
			resp, err := p.transport.RoundTrip(ctx, p.addr, req)
			switch pr, ok := resp.(*produceapi.Response); {
			case err != nil:
				r.err = err
			case !ok:
				r.err = fmt.Errorf("sink: produce: unexpected response %T", resp)
			default:
				r.resp = pr
			}
			if err == nil {
				// A response means the request was written out in full.
				// After an error kafka-go may still be reading it, so then
				// the buffer is left to the garbage collector.
				requestBufs.Put(buf)
			}
			results <- r
		}()
	}
	return wait
}

// settle acks, fails or leaves for another try every message of r, and
// reports whether the request reached its broker and every partition
// succeeded. A message left unacked is sent again by a later dispatch, before
// anything of its partition queued after it.
func (p *producer) settle(r sent) bool {
	ok := true
	var acked, retries, errs int64
	if r.err != nil {
		ok = false
		errs++
		for _, b := range r.batches {
			if pe := permanentErr(r.err); pe != nil {
				b.fail(fmt.Errorf("sink: produce to %s/%d: %w", b.topic, b.part, pe))
			}
		}
	} else {
		codes := partitionCodes(r.resp)
		for _, b := range r.batches {
			code, found := codes[b.key]
			switch {
			case !found:
				ok = false
				errs++
			case code == 0:
				for _, ref := range b.from {
					ref.w.ack(ref.i)
				}
				acked += int64(len(b.from))
			case kafka.Error(code).Temporary():
				ok = false
				retries++
			default:
				errs++
				b.fail(fmt.Errorf("sink: produce to %s/%d: %w", b.topic, b.part, kafka.Error(code)))
			}
		}
	}
	p.statsMu.Lock()
	p.stats.Requests++
	p.stats.Messages += acked
	p.stats.Retries += retries
	p.stats.Errors += errs
	p.statsMu.Unlock()
	return ok
}

// recordBytes is about what m takes in a record batch.
func recordBytes(m Message) int {
	n := 24 + len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += 8 + len(h.Key) + len(h.Value)
	}
	return n
}

// requestBuf holds the encoded record sets of one produce request, and the
// scratch space for records before compression.
type requestBuf struct {
	sets, scratch []byte
}

var requestBufs = sync.Pool{New: func() any { return new(requestBuf) }}

// request encodes bs, every record stamped ts (Unix milliseconds), into buf
// and returns the produce request that carries them.
func (p *producer) request(buf *requestBuf, bs []*batch, ts int64, timeoutMs int32) (*rawproduce.Request, error) {
	req := &rawproduce.Request{Acks: p.acks, Timeout: timeoutMs}
	topicIdx := map[string]int{}
	ends := make([]int, len(bs))
	buf.sets = buf.sets[:0]
	for i, b := range bs {
		var err error
		buf.sets, buf.scratch, err = appendRecordSet(buf.sets, buf.scratch, p.attrs, ts, b.msgs)
		if err != nil {
			return nil, fmt.Errorf("sink: produce to %s/%d: %w", b.topic, b.part, err)
		}
		ends[i] = len(buf.sets)
	}
	start := 0
	for i, b := range bs {
		ti, ok := topicIdx[b.topic]
		if !ok {
			ti = len(req.Topics)
			topicIdx[b.topic] = ti
			req.Topics = append(req.Topics, rawproduce.RequestTopic{Topic: b.topic})
		}
		req.Topics[ti].Partitions = append(req.Topics[ti].Partitions, rawproduce.RequestPartition{
			Partition: b.part,
			RecordSet: protocol.RawRecordSet{Reader: bytes.NewReader(buf.sets[start:ends[i]])},
		})
		start = ends[i]
	}
	return req, nil
}

func partitionCodes(r *produceapi.Response) map[key]int16 {
	out := map[key]int16{}
	for _, t := range r.Topics {
		for _, pt := range t.Partitions {
			out[key{t.Topic, pt.Partition}] = pt.ErrorCode
		}
	}
	return out
}

// permanentErr returns the Kafka error inside err when retrying can never
// help (the request is too large for the broker), else nil.
func permanentErr(err error) error {
	var kerr kafka.Error
	if errors.As(err, &kerr) && !kerr.Temporary() {
		return kerr
	}
	return nil
}

func (b *batch) fail(err error) {
	for _, r := range b.from {
		r.w.fail(err)
	}
}

func (w *waiter) ack(i int) {
	if w.acked[i] || w.left == 0 {
		return
	}
	w.acked[i] = true
	w.left--
	if w.left == 0 {
		w.done <- nil
	}
}

// fail settles w with err; later acks of its other messages are ignored.
func (w *waiter) fail(err error) {
	if w.left == 0 {
		return
	}
	w.left = 0
	w.done <- err
}

func (p *producer) snapshot() ProducerStats {
	p.statsMu.Lock()
	defer p.statsMu.Unlock()
	return p.stats
}
