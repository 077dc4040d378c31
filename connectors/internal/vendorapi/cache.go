package vendorapi

import (
	"sync"
	"time"
)

// Cache keeps up to a fixed number of values for a fixed time (survey
// definitions, so each response does not refetch its survey). When full, an
// expired entry, else the entry closest to expiry, makes room.
type Cache[V any] struct {
	mu      sync.Mutex
	ttl     time.Duration
	size    int
	now     func() time.Time
	entries map[string]cacheEntry[V]
}

type cacheEntry[V any] struct {
	v       V
	expires time.Time
}

// NewCache returns a cache of at most size entries that each live ttl, read
// against now (nil means time.Now).
func NewCache[V any](size int, ttl time.Duration, now func() time.Time) *Cache[V] {
	if now == nil {
		now = time.Now
	}
	return &Cache[V]{ttl: ttl, size: max(size, 1), now: now, entries: map[string]cacheEntry[V]{}}
}

// Get returns the live value stored under key.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put stores v under key for the cache's TTL.
func (c *Cache[V]) Put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.size {
		c.evict(now)
	}
	c.entries[key] = cacheEntry[V]{v: v, expires: now.Add(c.ttl)}
}

// Len returns the number of entries, live or expired.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// evict drops every expired entry, or else the one expiring first. Linear,
// which is fine for the few hundred survey definitions it holds.
func (c *Cache[V]) evict(now time.Time) {
	var (
		oldest    string
		oldestExp time.Time
	)
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
			continue
		}
		if oldest == "" || e.expires.Before(oldestExp) {
			oldest, oldestExp = k, e.expires
		}
	}
	if len(c.entries) >= c.size && oldest != "" {
		delete(c.entries, oldest)
	}
}
