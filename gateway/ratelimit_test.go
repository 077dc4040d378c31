package gateway

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := newBucket(10, 3)
	for range 3 {
		ok, _ := b.allow(t0)
		assert.True(t, ok, "burst")
	}
	ok, wait := b.allow(t0)
	assert.False(t, ok)
	assert.InDelta(t, 100*time.Millisecond, wait, float64(time.Millisecond))
	ok, _ = b.allow(t0.Add(100 * time.Millisecond))
	assert.True(t, ok, "refilled at the rate")
	ok, _ = b.allow(t0.Add(time.Hour))
	assert.True(t, ok)
	assert.InDelta(t, 2, b.tokens, 1e-9, "never more than burst")
	var none *bucket
	ok, _ = none.allow(t0)
	assert.True(t, ok, "no limit configured")
}
