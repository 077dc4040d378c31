package vendorapi

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCache(t *testing.T) {
	now := time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := NewCache[string](2, 10*time.Minute, clock)

	_, ok := c.Get("a")
	assert.False(t, ok)
	c.Put("a", "A")
	v, ok := c.Get("a")
	assert.True(t, ok)
	assert.Equal(t, "A", v)

	now = now.Add(time.Minute)
	c.Put("b", "B")
	c.Put("c", "C") // full: "a" expires first and goes
	assert.Equal(t, 2, c.Len())
	_, ok = c.Get("a")
	assert.False(t, ok)
	for _, k := range []string{"b", "c"} {
		_, ok := c.Get(k)
		assert.True(t, ok, k)
	}

	c.Put("b", "B2") // replacing does not evict
	assert.Equal(t, 2, c.Len())
	v, _ = c.Get("b")
	assert.Equal(t, "B2", v)

	now = now.Add(10 * time.Minute)
	_, ok = c.Get("c")
	assert.False(t, ok, "expired after the TTL")
	c.Put("d", "D") // drops every expired entry
	assert.Equal(t, 1, c.Len())
}

func TestCacheConcurrent(t *testing.T) {
	c := NewCache[int](16, time.Minute, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				k := fmt.Sprint((i + j) % 40)
				c.Put(k, j)
				c.Get(k)
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Len(), 16)
}
