package poll

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
)

func rec(id string, version int64, minute int) feedback.Record {
	r := feedback.New("shop", feedback.KindReview, id)
	r.Version = version
	r.OccurredAt = baseTime.Add(time.Duration(minute) * time.Minute)
	return r
}

func ids(recs []feedback.Record) []string {
	out := make([]string, len(recs))
	for i := range recs {
		out[i] = recs[i].EventID
	}
	return out
}

func TestClassify(t *testing.T) {
	a, b, c, d := rec("a", 1, 4), rec("b", 1, 3), rec("c", 1, 3), rec("d", 1, 2)
	wm := func(r feedback.Record, also ...feedback.Record) *Mark {
		m := &Mark{Position: PositionOf(&r), IDs: []string{r.ID}}
		for _, o := range also {
			m.IDs = append(m.IDs, o.ID)
		}
		return m
	}
	tests := []struct {
		name      string
		st        State
		page      []feedback.Record
		fresh     []string
		dups      int
		reachedOr bool
	}{
		{"no watermark: all new", State{Paging: &Paging{}}, []feedback.Record{a, b, c, d}, []string{"a", "b", "c", "d"}, 0, false},
		{"stops below the watermark", State{Watermark: wm(b, c), Paging: &Paging{}}, []feedback.Record{a, b, c, d}, []string{"a"}, 0, true},
		{"same second, unseen id is new; no stop yet", State{Watermark: wm(b), Paging: &Paging{}}, []feedback.Record{a, b, c}, []string{"a", "c"}, 0, false},
		{"an edit is a new version above the watermark", State{Watermark: wm(a), Paging: &Paging{}}, []feedback.Record{rec("d", 2, 2), a, b}, []string{"d"}, 0, true},
		{"records shifted onto this page were written", State{Paging: &Paging{Written: Span{High: wm(a), Low: wm(b)}}}, []feedback.Record{b, c, d}, []string{"c", "d"}, 0, false},
		{"skip spans of a restarted walk", State{Paging: &Paging{Skip: []Span{{High: wm(b, c), Low: wm(b, c)}}}}, []feedback.Record{a, b, c, d}, []string{"a", "d"}, 0, false},
		{"in-flight records are counted again", State{Paging: &Paging{Inflight: []string{versionedID(&a), versionedID(&b)}}}, []feedback.Record{a, b, c}, []string{"a", "b", "c"}, 2, false},
		{"a repeat within a page is written once", State{Paging: &Paging{}}, []feedback.Record{a, a}, []string{"a"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh, dups, reached := classify(&tt.st, tt.page)
			assert.Equal(t, tt.fresh, ids(fresh))
			assert.Equal(t, tt.dups, dups)
			assert.Equal(t, tt.reachedOr, reached)
		})
	}
}

func TestPagingWatermarkAndRestart(t *testing.T) {
	a, b, c := rec("a", 1, 4), rec("b", 1, 3), rec("c", 1, 1)
	p := &Paging{Token: "o20", StartedAt: baseTime}
	p.wrote(PositionOf(&b), b.ID)
	p.wrote(PositionOf(&c), c.ID)
	p.restart(baseTime.Add(time.Hour))
	assert.Empty(t, p.Token)
	require.Len(t, p.Skip, 1)
	assert.True(t, p.covered(PositionOf(&b), b.ID))
	assert.False(t, p.covered(PositionOf(&a), a.ID))
	p.wrote(PositionOf(&a), a.ID)
	assert.Equal(t, []string{a.ID}, p.NewWatermark().IDs)
	got, err := decodeState([]byte(`{"version":1,"paging":{"next_token":"x"}}`))
	require.NoError(t, err)
	assert.Equal(t, "x", got.Paging.Token)
	_, err = decodeState([]byte(`{"version":2}`))
	assert.Error(t, err)
}
