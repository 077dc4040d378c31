package gateway

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestDedupWindowAndBound(t *testing.T) {
	t0 := time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	d := newDedup(time.Minute, 3)
	rec := func(id string, version int64) feedback.Record {
		r := feedback.New("typeform", feedback.KindSurvey, id)
		r.Version = version
		return r
	}
	a, b := rec("a", 1), rec("b", 1)
	assert.False(t, d.allSeen("typeform", []feedback.Record{a}, t0))
	d.add("typeform", []feedback.Record{a}, t0)
	assert.True(t, d.allSeen("typeform", []feedback.Record{a}, t0.Add(30*time.Second)), "redelivery within the window")
	assert.False(t, d.allSeen("other", []feedback.Record{a}, t0), "scoped by source")
	assert.False(t, d.allSeen("typeform", []feedback.Record{a, b}, t0), "a batch is a duplicate only when every record is")
	assert.False(t, d.allSeen("typeform", []feedback.Record{rec("a", 2)}, t0), "a newer version is not a duplicate")
	assert.False(t, d.allSeen("typeform", []feedback.Record{a}, t0.Add(2*time.Minute)), "after the window")

	for i := range 10 {
		d.add("typeform", []feedback.Record{rec(fmt.Sprint(i), 1)}, t0.Add(time.Duration(i)*time.Second))
	}
	assert.LessOrEqual(t, len(d.seen), 3, "bounded")
	assert.True(t, d.allSeen("typeform", []feedback.Record{rec("9", 1)}, t0.Add(10*time.Second)))
	assert.Nil(t, newDedup(0, 10), "a zero window disables dedup")
	assert.False(t, (*dedup)(nil).allSeen("x", []feedback.Record{a}, t0))
}
