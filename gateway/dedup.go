package gateway

import (
	"strconv"
	"sync"
	"time"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// dedup remembers which record versions were made durable recently, so a
// vendor's redelivery of the same event within the window produces no
// second record. It is per process: redeliveries that reach another
// instance, or arrive after the window, still carry the same record id and
// version for consumers to dedupe.
type dedup struct {
	window time.Duration
	max    int

	mu    sync.Mutex
	seen  map[string]time.Time
	queue []string // insertion order, for expiry and the size bound
	head  int
}

func newDedup(window time.Duration, max int) *dedup {
	if window <= 0 || max <= 0 {
		return nil
	}
	return &dedup{window: window, max: max, seen: make(map[string]time.Time)}
}

func dedupKey(source string, r *feedback.Record) string {
	return source + "\x00" + r.ID + "\x00" + strconv.FormatInt(r.Version, 10) + "\x00" + r.EventID
}

// allSeen reports whether every record was made durable within the window.
func (d *dedup) allSeen(source string, recs []feedback.Record, now time.Time) bool {
	if d == nil || len(recs) == 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range recs {
		at, ok := d.seen[dedupKey(source, &recs[i])]
		if !ok || now.Sub(at) > d.window {
			return false
		}
	}
	return true
}

// add remembers recs as durable at now.
func (d *dedup) add(source string, recs []feedback.Record, now time.Time) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range recs {
		k := dedupKey(source, &recs[i])
		if _, ok := d.seen[k]; !ok {
			d.queue = append(d.queue, k)
		}
		d.seen[k] = now
	}
	d.evict(now)
}

func (d *dedup) evict(now time.Time) {
	for d.head < len(d.queue) {
		k := d.queue[d.head]
		if len(d.seen) <= d.max && now.Sub(d.seen[k]) <= d.window {
			break
		}
		delete(d.seen, k)
		d.head++
	}
	if d.head > len(d.queue)/2 && d.head > 1024 {
		d.queue = append(d.queue[:0:0], d.queue[d.head:]...)
		d.head = 0
	}
}
