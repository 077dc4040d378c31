package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func open(t *testing.T, dir string, mut ...func(*Config)) *Spool {
	t.Helper()
	cfg := NewDefaultConfig()
	cfg.Dir = dir
	for _, m := range mut {
		m(&cfg)
	}
	s, err := Open(cfg)
	require.NoError(t, err)
	return s
}

func payloads(t *testing.T, s *Spool) []string {
	t.Helper()
	es, err := s.Peek(1<<20, 1<<30)
	require.NoError(t, err)
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e.Payload)
	}
	return out
}

func segments(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, segPrefix+"*"))
	require.NoError(t, err)
	sort.Strings(m)
	return m
}

func TestAppendPeekAckResumeAfterRestart(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	for i := range 5 {
		require.NoError(t, s.Append(fmt.Appendf(nil, "e%d", i)))
	}
	assert.Equal(t, []string{"e0", "e1", "e2", "e3", "e4"}, payloads(t, s))
	es, err := s.Peek(2, 1<<20)
	require.NoError(t, err)
	require.Len(t, es, 2)
	require.NoError(t, s.Ack(2))
	st := s.Stats()
	assert.Equal(t, 3, st.Records)
	assert.False(t, st.Oldest.IsZero())
	require.NoError(t, s.Close())

	s = open(t, dir)
	defer s.Close()
	assert.Equal(t, []string{"e2", "e3", "e4"}, payloads(t, s), "acknowledged entries are not delivered again")
	require.NoError(t, s.Append([]byte("e5")))
	assert.Equal(t, []string{"e2", "e3", "e4", "e5"}, payloads(t, s))
	select {
	case <-s.NotEmpty():
	default:
		t.Fatal("NotEmpty not signalled")
	}
}

func TestConcurrentAppendsShareFsyncsAndLoseNothing(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := s.Append(fmt.Appendf(nil, "g%02d-%03d", g, i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got := payloads(t, s)
	require.Len(t, got, 32*50)
	// Per appender, order is kept.
	last := map[string]string{}
	for _, p := range got {
		g := p[:3]
		assert.Less(t, last[g], p)
		last[g] = p
	}
	require.NoError(t, s.Close())
	assert.Len(t, payloads(t, open(t, dir)), 32*50, "all survive a reopen")
}

func TestTornTailIsTruncatedAndEarlierEntriesKept(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	for i := range 3 {
		require.NoError(t, s.Append(fmt.Appendf(nil, "entry-%d-with-some-bytes", i)))
	}
	require.NoError(t, s.Close())
	seg := segments(t, dir)[0]
	st, err := os.Stat(seg)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(seg, st.Size()-5)) // crash mid-write of the last entry

	s = open(t, dir)
	assert.Equal(t, []string{"entry-0-with-some-bytes", "entry-1-with-some-bytes"}, payloads(t, s))
	assert.Equal(t, 1, s.Stats().Corrupt)
	require.NoError(t, s.Append([]byte("after")))
	require.NoError(t, s.Close())
	s = open(t, dir)
	defer s.Close()
	assert.Equal(t, []string{"entry-0-with-some-bytes", "entry-1-with-some-bytes", "after"}, payloads(t, s), "appends after the truncated tail are readable")
	assert.Equal(t, 0, s.Stats().Corrupt)
}

func TestFlippedByteSkipsOnlyThatEntry(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	for _, p := range []string{"first", "second", "third"} {
		require.NoError(t, s.Append([]byte(p)))
	}
	require.NoError(t, s.Close())
	seg := segments(t, dir)[0]
	b, err := os.ReadFile(seg)
	require.NoError(t, err)
	off := headerSize + len("first") + headerSize + 2 // inside "second"'s payload
	b[off] ^= 0xff
	require.NoError(t, os.WriteFile(seg, b, 0o640))

	s = open(t, dir)
	defer s.Close()
	assert.Equal(t, []string{"first", "third"}, payloads(t, s))
	assert.Equal(t, 1, s.Stats().Corrupt)
}

func TestCorruptLengthKeepsEarlierEntries(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	for _, p := range []string{"first", "second"} {
		require.NoError(t, s.Append([]byte(p)))
	}
	require.NoError(t, s.Close())
	seg := segments(t, dir)[0]
	b, err := os.ReadFile(seg)
	require.NoError(t, err)
	b[headerSize+len("first")] = 0xff // length of "second" becomes huge
	require.NoError(t, os.WriteFile(seg, b, 0o640))
	s = open(t, dir)
	defer s.Close()
	assert.Equal(t, []string{"first"}, payloads(t, s))
	assert.Equal(t, 1, s.Stats().Corrupt)
}

func TestFullSpoolRefusesAppends(t *testing.T) {
	s := open(t, t.TempDir(), func(c *Config) { c.MaxBytes = 1 << 20; c.SegmentBytes = 64 << 10 })
	defer s.Close()
	big := make([]byte, 100<<10)
	var err error
	n := 0
	for ; n < 20; n++ {
		if err = s.Append(big); err != nil {
			break
		}
	}
	assert.ErrorIs(t, err, ErrFull)
	assert.Equal(t, 10, n)
	es, err := s.Peek(3, 1<<30)
	require.NoError(t, err)
	require.NoError(t, s.Ack(len(es)))
	assert.NoError(t, s.Append(big), "room again after an ack")
}

func TestSegmentsRotateAndAreDeletedOnceRead(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, func(c *Config) { c.SegmentBytes = 64 << 10 })
	defer s.Close()
	entry := make([]byte, 30<<10)
	for range 7 {
		require.NoError(t, s.Append(entry))
	}
	assert.GreaterOrEqual(t, len(segments(t, dir)), 3)
	es, err := s.Peek(100, 1<<30)
	require.NoError(t, err)
	require.Len(t, es, 7)
	require.NoError(t, s.Ack(6))
	assert.Len(t, segments(t, dir), 2, "segments holding only read entries are removed")
	es, err = s.Peek(100, 1<<30)
	require.NoError(t, err)
	assert.Len(t, es, 1)
	limited, err := s.Peek(100, 1)
	require.NoError(t, err)
	assert.Len(t, limited, 1, "at least one entry even over the byte budget")
}

func TestConfigValidate(t *testing.T) {
	err := Config{}.Validate()
	require.Error(t, err)
	for _, want := range []string{"dir", "max_bytes", "segment_bytes"} {
		assert.Contains(t, err.Error(), want)
	}
}
