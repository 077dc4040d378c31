package poll

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// stateVersion is the version of the cursor format this package writes.
const stateVersion = 1

// stateKeyPrefix prefixes the connector id in state topic keys, so other
// components may keep their own state in the same topic.
const stateKeyPrefix = "poll/"

// StateKey is the state topic key of a connector's cursor.
func StateKey(id string) string { return stateKeyPrefix + id }

// State is one connector's cursor, the value in the state topic.
type State struct {
	// Version of this format (1).
	Version int `json:"version"`
	// Watermark is the newest record position covered by a completed walk;
	// nil before the first one.
	Watermark *Mark `json:"watermark"`
	// Paging is the walk in progress; nil between walks.
	Paging *Paging `json:"paging"`
	// PolledAt is when the last poll that reached its end (or its page
	// budget) finished; the next poll is due Interval later.
	PolledAt time.Time `json:"polled_at,omitzero"`
	// UpdatedAt is when this value was written.
	UpdatedAt time.Time `json:"updated_at"`
}

// Position orders records in a feed: by Version (the vendor's
// last-modified time, or 1), then OccurredAt. Feeds list records newest
// position first.
type Position struct {
	Version    int64     `json:"version"`
	OccurredAt time.Time `json:"occurred_at"`
}

// PositionOf is r's position as the connector returned it (before any
// default fills OccurredAt).
func PositionOf(r *feedback.Record) Position {
	return Position{Version: r.Version, OccurredAt: r.OccurredAt.UTC()}
}

// Compare orders p and q: -1 when p is older, 0 equal, +1 newer.
func (p Position) Compare(q Position) int {
	if c := cmp.Compare(p.Version, q.Version); c != 0 {
		return c
	}
	return p.OccurredAt.Compare(q.OccurredAt)
}

// Mark is a position and the record ids written at exactly that position
// (several reviews can share a second).
type Mark struct {
	Position
	IDs []string `json:"ids"`
}

// covers reports whether the record id at pos is at or below m: older, or
// at m's position with an id m lists.
func (m *Mark) covers(pos Position, id string) bool {
	c := pos.Compare(m.Position)
	return c < 0 || (c == 0 && slices.Contains(m.IDs, id))
}

// below reports whether pos is strictly older than m.
func (m *Mark) below(pos Position) bool { return pos.Compare(m.Position) < 0 }

// raise moves m up to pos (a newer position replaces it; the same
// position adds id).
func raise(m *Mark, pos Position, id string) *Mark {
	switch {
	case m == nil || pos.Compare(m.Position) > 0:
		return &Mark{Position: pos, IDs: []string{id}}
	case pos.Compare(m.Position) == 0 && !slices.Contains(m.IDs, id):
		m.IDs = append(m.IDs, id)
	}
	return m
}

// lower moves m down to pos (an older position replaces it; the same
// position adds id).
func lower(m *Mark, pos Position, id string) *Mark {
	switch {
	case m == nil || pos.Compare(m.Position) < 0:
		return &Mark{Position: pos, IDs: []string{id}}
	case pos.Compare(m.Position) == 0 && !slices.Contains(m.IDs, id):
		m.IDs = append(m.IDs, id)
	}
	return m
}

// newest returns the newer of a and b, merging ids when equal.
func newest(a, b *Mark) *Mark {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	switch c := a.Compare(b.Position); {
	case c > 0:
		return a
	case c < 0:
		return b
	}
	out := &Mark{Position: a.Position, IDs: slices.Clone(a.IDs)}
	for _, id := range b.IDs {
		if !slices.Contains(out.IDs, id) {
			out.IDs = append(out.IDs, id)
		}
	}
	return out
}

// Span is the stretch of a feed a walk has written, from High (newest) down
// to Low (oldest), both inclusive of the ids they list.
type Span struct {
	High *Mark `json:"high"`
	Low  *Mark `json:"low"`
}

// contains reports whether the record id at pos lies within s.
func (s *Span) contains(pos Position, id string) bool {
	if s.High == nil || s.Low == nil {
		return false
	}
	if !s.High.covers(pos, id) {
		return false
	}
	c := pos.Compare(s.Low.Position)
	return c > 0 || (c == 0 && slices.Contains(s.Low.IDs, id))
}

// Paging is a walk in progress: where to fetch next and what it has
// written so far.
type Paging struct {
	// Token of the next page to fetch; "" is the newest page.
	Token string `json:"next_token"`
	// StartedAt is when this walk started from the newest page.
	StartedAt time.Time `json:"started_at"`
	// Written is what this walk has written: its High is the new watermark
	// once the walk completes.
	Written Span `json:"written"`
	// Skip are spans written by earlier attempts of this walk that were
	// restarted from the newest page (an expired token); records within
	// them are not written again.
	Skip []Span `json:"skip,omitempty"`
	// Inflight lists the records ("id@version") of the page being written
	// when this value was saved: they may or may not be in Kafka. If the
	// page is fetched again they are written again (at least once) and
	// counted as duplicates.
	Inflight []string `json:"inflight,omitempty"`
}

// NewWatermark is the watermark once this walk completes.
func (p *Paging) NewWatermark() *Mark {
	m := p.Written.High
	for i := range p.Skip {
		m = newest(m, p.Skip[i].High)
	}
	return m
}

// covered reports whether this walk already wrote the record id at pos.
func (p *Paging) covered(pos Position, id string) bool {
	if p.Written.contains(pos, id) {
		return true
	}
	for i := range p.Skip {
		if p.Skip[i].contains(pos, id) {
			return true
		}
	}
	return false
}

// wrote records that the record id at pos is durable.
func (p *Paging) wrote(pos Position, id string) {
	p.Written.High = raise(p.Written.High, pos, id)
	p.Written.Low = lower(p.Written.Low, pos, id)
}

// restart starts the walk again from the newest page, keeping what it
// wrote as a span to skip.
func (p *Paging) restart(now time.Time) {
	if p.Written.High != nil {
		p.Skip = append(p.Skip, p.Written)
	}
	p.Written = Span{}
	p.Token = ""
	p.StartedAt = now
}

// versionedID names one version of a record.
func versionedID(r *feedback.Record) string {
	return r.ID + "@" + strconv.FormatInt(r.Version, 10)
}

// decodeState parses a state topic value.
func decodeState(b []byte) (State, error) {
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return State{}, fmt.Errorf("poll: decode cursor: %w", err)
	}
	if s.Version != stateVersion {
		return State{}, fmt.Errorf("poll: decode cursor: version %d, want %d", s.Version, stateVersion)
	}
	return s, nil
}
