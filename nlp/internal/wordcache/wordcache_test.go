package wordcache

import (
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCache(t *testing.T) {
	c := New[int](numShards * 4)
	_, ok := c.Get("a")
	assert.False(t, ok)
	c.Put("a", 1)
	v, ok := c.Get("a")
	assert.True(t, ok)
	assert.Equal(t, 1, v)
}

func TestCacheBounded(t *testing.T) {
	c := New[int](numShards * 4)
	for i := range 10000 {
		c.Put(strconv.Itoa(i), i)
	}
	assert.LessOrEqual(t, c.Len(), 2*numShards*4)
	// Recent entries survive.
	v, ok := c.Get("9999")
	assert.True(t, ok)
	assert.Equal(t, 9999, v)
}

func TestCacheConcurrent(t *testing.T) {
	c := New[string](1024)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := strconv.Itoa((i * (g + 1)) % 3000)
				if v, ok := c.Get(k); ok {
					assert.Equal(t, k, v)
				} else {
					c.Put(k, k)
				}
			}
		})
	}
	wg.Wait()
}
