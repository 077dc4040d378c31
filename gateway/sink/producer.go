package sink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	produceapi "github.com/segmentio/kafka-go/protocol/produce"
)

// producer is "one producer, many waiters": every Write queues its messages
// and waits, and a single loop sends everything queued in one produce
// request per leader broker, with all partitions of all topics in it. While
// a round is in flight, new writes queue up and go together in the next one,
// so the batch grows with the load and there is one broker round trip per
// round, not per request or per partition.
//
// At most one round is in flight, so the messages of one partition reach the
// broker in the order their writes were queued, retries included: a failed
// partition batch goes first in the next round.
type producer struct {
	transport *kafka.Transport
	addr      net.Addr
	client    *kafka.Client
	acks      int16
	attrs     protocol.Attributes
	maxBytes  int           // most record bytes in one partition batch
	maxMsgs   int           // most records in one partition batch
	linger    time.Duration // wait for more writes before a round
	timeout   time.Duration // bounds one round when no waiter has a deadline

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

func (p *producer) loop() {
	defer close(p.done)
	var (
		retry   []*waiter
		backoff time.Duration
		meta    map[string]*topicMeta
		idle    bool
		metaAt  time.Time
	)
	for {
		p.mu.Lock()
		queued := p.queue
		p.queue = nil
		closing := p.closing
		p.mu.Unlock()
		pending := append(retry, queued...)
		retry = nil
		pending = live(pending)
		if len(pending) == 0 {
			if closing {
				return
			}
			<-p.wake
			idle = true
			continue
		}
		if backoff > 0 {
			sleep(pending, backoff)
			pending = live(pending)
		} else if idle && p.linger > 0 {
			// Idle until now: give concurrent writes a moment to join.
			sleep(pending, p.linger)
			p.mu.Lock()
			pending = append(pending, p.queue...)
			p.queue = nil
			p.mu.Unlock()
			pending = live(pending)
		}
		idle = false
		if len(pending) == 0 {
			continue
		}
		if meta == nil || time.Since(metaAt) > metadataMaxAge || !covers(meta, pending) {
			m, err := p.metadata(pending, meta)
			if err != nil {
				retry = pending
				backoff = nextBackoff(backoff)
				continue
			}
			meta, metaAt = m, time.Now()
		}
		var ok bool
		retry, ok = p.round(pending, meta)
		if ok {
			backoff = 0
		} else {
			backoff = nextBackoff(backoff)
			meta = nil // leaders may have moved
		}
	}
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

// live drops waiters whose writer has gone (its context ended).
func live(ws []*waiter) []*waiter {
	out := ws[:0]
	for _, w := range ws {
		if w.ctx.Err() == nil {
			out = append(out, w)
		}
	}
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
	records []protocol.Record
	from    []msgRef
	bytes   int
}

type msgRef struct {
	w *waiter
	i int
}

// round sends pending in one request per leader and settles every waiter it
// can. It returns the waiters to send again (in order) and whether every
// request reached its broker.
func (p *producer) round(pending []*waiter, meta map[string]*topicMeta) ([]*waiter, bool) {
	batches := map[key]*batch{}
	closed := map[key]bool{} // full this round: nothing more of it
	var order []*batch
	now := time.Now()
	var later []*waiter // did not fit this round
	deadline := now.Add(p.timeout)
	for wi, w := range pending {
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
		if d, ok := w.ctx.Deadline(); ok && d.After(deadline) {
			deadline = d
		}
		// Add what fits; a message that would overflow its partition's
		// batch (and every later one of that partition) waits for the next
		// round, and so do all later waiters, to keep each key's order.
		full := false
		for i, m := range w.msgs {
			if w.acked[i] {
				continue
			}
			k := key{m.Topic, w.parts[i]}
			b := batches[k]
			if closed[k] {
				full = true
				continue
			}
			if b == nil {
				b = &batch{key: k}
				batches[k] = b
				order = append(order, b)
			} else if b.bytes+recordBytes(m) > p.maxBytes || len(b.records) >= p.maxMsgs {
				closed[k] = true
				full = true
				continue
			}
			rec := protocol.Record{Time: now, Key: bytesOrNil(m.Key), Value: bytesOrNil(m.Value)}
			if len(m.Headers) > 0 {
				rec.Headers = make([]protocol.Header, len(m.Headers))
				for j, h := range m.Headers {
					rec.Headers[j] = protocol.Header{Key: h.Key, Value: h.Value}
				}
			}
			b.records = append(b.records, rec)
			b.from = append(b.from, msgRef{w, i})
			b.bytes += recordBytes(m)
		}
		if full {
			later = pending[wi:]
			break
		}
	}

	// One request per leader broker.
	byLeader := map[int][]*batch{}
	var leaders []int
	for _, b := range order {
		l := meta[b.topic].leaders[b.part]
		if _, ok := byLeader[l]; !ok {
			leaders = append(leaders, l)
		}
		byLeader[l] = append(byLeader[l], b)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	timeoutMs := int32(time.Until(deadline) / time.Millisecond)
	results := make([]error, len(leaders))
	responses := make([]*produceapi.Response, len(leaders))
	var wg sync.WaitGroup
	for li, l := range leaders {
		req := p.request(byLeader[l], timeoutMs)
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := p.transport.RoundTrip(ctx, p.addr, req)
			if err != nil {
				results[li] = err
				return
			}
			r, ok := resp.(*produceapi.Response)
			if !ok {
				results[li] = fmt.Errorf("sink: produce: unexpected response %T", resp)
				return
			}
			responses[li] = r
		}()
	}
	wg.Wait()

	allOK := true
	var again []*waiter
	requeue := func(b *batch) {
		for _, r := range b.from {
			again = append(again, r.w) // duplicates are dropped below
		}
	}
	var acked, retries, errs int64
	for li, l := range leaders {
		bs := byLeader[l]
		if err := results[li]; err != nil {
			allOK = false
			errs++
			for _, b := range bs {
				if pe := permanentErr(err); pe != nil {
					b.fail(fmt.Errorf("sink: produce to %s/%d: %w", b.topic, b.part, pe))
					continue
				}
				requeue(b)
			}
			continue
		}
		codes := partitionCodes(responses[li])
		for _, b := range bs {
			code, found := codes[b.key]
			switch {
			case !found:
				allOK = false
				errs++
				requeue(b)
			case code == 0:
				for _, r := range b.from {
					r.w.ack(r.i)
				}
				acked += int64(len(b.from))
			case kafka.Error(code).Temporary():
				allOK = false
				retries++
				requeue(b)
			default:
				errs++
				b.fail(fmt.Errorf("sink: produce to %s/%d: %w", b.topic, b.part, kafka.Error(code)))
			}
		}
	}
	p.statsMu.Lock()
	p.stats.Requests += int64(len(leaders))
	p.stats.Messages += acked
	p.stats.Retries += retries
	p.stats.Errors += errs
	p.statsMu.Unlock()

	// What is left, in queue order: a partition's messages must go in the
	// order their writes were queued.
	out := again[:0:0]
	seen := make(map[*waiter]bool, len(again)+len(later))
	for _, w := range append(again, later...) {
		if w.left > 0 && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b *waiter) int { return cmp.Compare(a.seq, b.seq) })
	return out, allOK
}

// recordBytes is about what m takes in a record batch.
func recordBytes(m Message) int {
	n := 24 + len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += 8 + len(h.Key) + len(h.Value)
	}
	return n
}

func (p *producer) request(bs []*batch, timeoutMs int32) *produceapi.Request {
	req := &produceapi.Request{Acks: p.acks, Timeout: timeoutMs}
	topicIdx := map[string]int{}
	for _, b := range bs {
		ti, ok := topicIdx[b.topic]
		if !ok {
			ti = len(req.Topics)
			topicIdx[b.topic] = ti
			req.Topics = append(req.Topics, produceapi.RequestTopic{Topic: b.topic})
		}
		req.Topics[ti].Partitions = append(req.Topics[ti].Partitions, produceapi.RequestPartition{
			Partition: b.part,
			RecordSet: protocol.RecordSet{Attributes: p.attrs, Records: protocol.NewRecordReader(b.records...)},
		})
	}
	return req
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

func bytesOrNil(b []byte) protocol.Bytes {
	if b == nil {
		return nil
	}
	return protocol.NewBytes(b)
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
