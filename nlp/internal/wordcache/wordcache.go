package wordcache

import (
	"hash/maphash"
	"sync"
)

const numShards = 64

// Cache maps words to values. It is safe for concurrent use.
type Cache[V any] struct {
	seed     maphash.Seed
	perShard int
	shards   [numShards]shard[V]
}

type shard[V any] struct {
	mu       sync.RWMutex
	cur, old map[string]V
	_        [40]byte // keep shards on separate cache lines
}

// New returns a cache that holds about capacity words (at most twice that).
func New[V any](capacity int) *Cache[V] {
	c := &Cache[V]{seed: maphash.MakeSeed(), perShard: max(capacity/numShards, 1)}
	for i := range c.shards {
		c.shards[i].cur = make(map[string]V)
	}
	return c
}

func (c *Cache[V]) shard(k string) *shard[V] {
	return &c.shards[maphash.String(c.seed, k)%numShards]
}

// Get returns the value cached for k.
func (c *Cache[V]) Get(k string) (V, bool) {
	s := c.shard(k)
	s.mu.RLock()
	v, ok := s.cur[k]
	if ok {
		s.mu.RUnlock()
		return v, true
	}
	v, ok = s.old[k]
	s.mu.RUnlock()
	if ok {
		c.put(s, k, v)
	}
	return v, ok
}

// Put caches v for k. k should not share memory with a larger string that
// the cache would otherwise keep alive (use strings.Clone).
func (c *Cache[V]) Put(k string, v V) { c.put(c.shard(k), k, v) }

func (c *Cache[V]) put(s *shard[V], k string, v V) {
	s.mu.Lock()
	if len(s.cur) >= c.perShard {
		s.old, s.cur = s.cur, make(map[string]V, c.perShard)
	}
	s.cur[k] = v
	s.mu.Unlock()
}

// Len returns the number of cached words, counting both generations.
func (c *Cache[V]) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.cur) + len(s.old)
		s.mu.RUnlock()
	}
	return n
}
