package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrFull is returned by Append when the spool holds Config.MaxBytes.
var ErrFull = errors.New("spool: full")

const (
	headerSize = 16
	segPrefix  = "seg-"
	segSuffix  = ".log"
	cursorFile = "cursor"
	// maxEntry bounds one entry; a larger length field marks corruption.
	maxEntry = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Config configures a spool.
type Config struct {
	// Dir holds the segment files. Default: <data_dir>/spool.
	Dir string `yaml:"dir"`
	// MaxBytes is the most the spool holds before Append fails with ErrFull.
	// Default: 1 GiB.
	MaxBytes int64 `yaml:"max_bytes"`
	// SegmentBytes is the size at which a new segment file starts. Default: 64 MiB.
	SegmentBytes int64 `yaml:"segment_bytes"`
}

// NewDefaultConfig returns the defaults (Dir is left to the caller).
func NewDefaultConfig() Config {
	return Config{MaxBytes: 1 << 30, SegmentBytes: 64 << 20}
}

// Validate reports every problem with c.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("dir: empty"))
	}
	if c.MaxBytes < 1<<20 {
		errs = append(errs, fmt.Errorf("max_bytes: %d, must be >= 1 MiB", c.MaxBytes))
	}
	if c.SegmentBytes < 64<<10 || c.SegmentBytes > c.MaxBytes {
		errs = append(errs, fmt.Errorf("segment_bytes: %d, must be >= 64 KiB and <= max_bytes", c.SegmentBytes))
	}
	return errors.Join(errs...)
}

// Entry is one spooled payload.
type Entry struct {
	Payload  []byte // read from disk by Peek
	Appended time.Time
	size     int64  // framed size on disk
	seg      uint64 // segment id
	end      int64  // offset just past the entry in its segment
}

// Stats describe what the spool holds.
type Stats struct {
	Records int
	Bytes   int64
	Oldest  time.Time // zero when empty
	Corrupt int       // entries skipped at Open
}

type segment struct {
	id   uint64
	size int64
}

// Spool is an append-only, fsynced queue of entries on disk.
type Spool struct {
	cfg Config

	mu       sync.Mutex
	cond     *sync.Cond
	active   *os.File
	segs     []segment // oldest first; the last is active
	queue    []Entry   // unacknowledged entries in order, without payloads
	readers  map[uint64]*os.File
	bytes    int64
	written  uint64 // entries written
	synced   uint64 // entries fsynced
	syncing  bool
	syncErr  error
	corrupt  int
	closed   bool
	readSeg  uint64 // persisted read position
	readOff  int64
	notEmpty chan struct{}
}

// Open opens or creates the spool in cfg.Dir and recovers what an earlier
// process left.
func Open(cfg Config) (*Spool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("spool: config: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool{cfg: cfg, notEmpty: make(chan struct{}, 1), readers: map[uint64]*os.File{}}
	s.cond = sync.NewCond(&s.mu)
	if err := s.recover(); err != nil {
		return nil, err
	}
	if len(s.queue) > 0 {
		s.signal()
	}
	return s, nil
}

func segName(id uint64) string { return fmt.Sprintf("%s%020d%s", segPrefix, id, segSuffix) }

func (s *Spool) recover() error {
	s.readSeg, s.readOff = s.loadCursor()
	names, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	var ids []uint64
	for _, n := range names {
		name := n.Name()
		if !strings.HasPrefix(name, segPrefix) || !strings.HasSuffix(name, segSuffix) {
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, segPrefix), segSuffix), 10, 64)
		if err == nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, id := range ids {
		last := i == len(ids)-1
		if id < s.readSeg {
			_ = os.Remove(filepath.Join(s.cfg.Dir, segName(id)))
			continue
		}
		size, err := s.scan(id, last)
		if err != nil {
			return err
		}
		s.segs = append(s.segs, segment{id: id, size: size})
	}
	next := uint64(1)
	if n := len(s.segs); n > 0 {
		next = s.segs[n-1].id
		if s.segs[n-1].size >= s.cfg.SegmentBytes {
			next++
		}
	}
	return s.openActive(next)
}

// scan reads one segment, queueing its unread entries. In the last segment
// a torn tail is truncated. It returns the segment's valid size.
func (s *Spool) scan(id uint64, last bool) (int64, error) {
	path := filepath.Join(s.cfg.Dir, segName(id))
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	hdr := make([]byte, headerSize)
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				s.corrupt++ // torn header
			}
			break
		}
		n := binary.BigEndian.Uint32(hdr[0:4])
		sum := binary.BigEndian.Uint32(hdr[4:8])
		nanos := int64(binary.BigEndian.Uint64(hdr[8:16]))
		if n > maxEntry {
			s.corrupt++ // a corrupt length: nothing after it can be framed
			break
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			s.corrupt++ // torn payload
			break
		}
		end := off + headerSize + int64(n)
		if crc32.Checksum(payload, castagnoli) != sum {
			s.corrupt++ // flipped bits: skip this entry, keep the rest
			off = end
			continue
		}
		if id > s.readSeg || end > s.readOff {
			e := Entry{Appended: time.Unix(0, nanos), size: headerSize + int64(n), seg: id, end: end}
			s.queue = append(s.queue, e)
			s.bytes += e.size
		}
		off = end
	}
	if last {
		if err := os.Truncate(path, off); err != nil {
			return 0, fmt.Errorf("spool: truncate torn tail: %w", err)
		}
	}
	return off, nil
}

func (s *Spool) openActive(id uint64) error {
	f, err := os.OpenFile(filepath.Join(s.cfg.Dir, segName(id)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("spool: open segment: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("spool: %w", err)
	}
	s.active = f
	if n := len(s.segs); n == 0 || s.segs[n-1].id != id {
		s.segs = append(s.segs, segment{id: id, size: st.Size()})
	}
	return syncDir(s.cfg.Dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("spool: sync dir: %w", err)
	}
	return nil
}

// Append writes payload and returns once it is fsynced.
func (s *Spool) Append(payload []byte) error {
	if len(payload) > maxEntry {
		return fmt.Errorf("spool: entry of %d bytes exceeds %d", len(payload), maxEntry)
	}
	now := time.Now()
	buf := make([]byte, headerSize+len(payload))
	binary.BigEndian.PutUint32(buf[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(buf[4:8], crc32.Checksum(payload, castagnoli))
	binary.BigEndian.PutUint64(buf[8:16], uint64(now.UnixNano()))
	copy(buf[headerSize:], payload)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("spool: closed")
	}
	if s.bytes+int64(len(buf)) > s.cfg.MaxBytes {
		return ErrFull
	}
	if s.segs[len(s.segs)-1].size >= s.cfg.SegmentBytes {
		if err := s.rotate(); err != nil {
			return err
		}
	}
	if _, err := s.active.Write(buf); err != nil {
		return fmt.Errorf("spool: write: %w", err)
	}
	seg := &s.segs[len(s.segs)-1]
	seg.size += int64(len(buf))
	s.queue = append(s.queue, Entry{Appended: now, size: int64(len(buf)), seg: seg.id, end: seg.size})
	s.bytes += int64(len(buf))
	s.written++
	return s.waitSynced(s.written)
}

// waitSynced blocks (s.mu held) until entry seq is fsynced, leading a sync
// when none is running: group commit.
func (s *Spool) waitSynced(seq uint64) error {
	for s.synced < seq {
		if s.syncing {
			s.cond.Wait()
			continue
		}
		s.syncing = true
		target, f := s.written, s.active
		s.mu.Unlock()
		err := f.Sync()
		s.mu.Lock()
		s.syncing = false
		if err != nil {
			s.syncErr = fmt.Errorf("spool: fsync: %w", err)
		} else if target > s.synced {
			s.synced = target
		}
		s.cond.Broadcast()
		if err != nil {
			return s.syncErr
		}
	}
	s.signal()
	return nil
}

func (s *Spool) rotate() error {
	// Let a running group fsync finish on the old file, then sync what is
	// left before a new segment starts.
	for s.syncing {
		s.cond.Wait()
	}
	if err := s.active.Sync(); err != nil {
		return fmt.Errorf("spool: fsync: %w", err)
	}
	s.synced = s.written
	if err := s.active.Close(); err != nil {
		return fmt.Errorf("spool: close segment: %w", err)
	}
	return s.openActive(s.segs[len(s.segs)-1].id + 1)
}

func (s *Spool) signal() {
	select {
	case s.notEmpty <- struct{}{}:
	default:
	}
}

// NotEmpty is signalled when entries may be waiting.
func (s *Spool) NotEmpty() <-chan struct{} { return s.notEmpty }

// Peek returns up to max of the oldest unacknowledged entries, at most
// maxBytes of payload (always at least one entry), read from disk.
func (s *Spool) Peek(max int, maxBytes int64) ([]Entry, error) {
	s.mu.Lock()
	// Only synced entries are readable: an unsynced one may yet fail.
	n := min(max, len(s.queue)-int(s.written-s.synced))
	if n <= 0 {
		s.mu.Unlock()
		return nil, nil
	}
	var total int64
	for i := range n {
		total += s.queue[i].size
		if i > 0 && total > maxBytes {
			n = i
			break
		}
	}
	out := make([]Entry, n)
	copy(out, s.queue[:n])
	s.mu.Unlock()
	for i := range out {
		if err := s.read(&out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// read loads e's payload from its segment (one reader at a time).
func (s *Spool) read(e *Entry) error {
	f, ok := s.readers[e.seg]
	if !ok {
		var err error
		if f, err = os.Open(filepath.Join(s.cfg.Dir, segName(e.seg))); err != nil {
			return fmt.Errorf("spool: open segment for reading: %w", err)
		}
		s.readers[e.seg] = f
	}
	buf := make([]byte, e.size)
	if _, err := f.ReadAt(buf, e.end-e.size); err != nil {
		return fmt.Errorf("spool: read entry: %w", err)
	}
	if crc32.Checksum(buf[headerSize:], castagnoli) != binary.BigEndian.Uint32(buf[4:8]) {
		return fmt.Errorf("spool: entry at %s+%d changed on disk", segName(e.seg), e.end-e.size)
	}
	e.Payload = buf[headerSize:]
	return nil
}

// Ack removes the n oldest entries (as returned by Peek), records the read
// position and deletes segments that hold nothing unread.
func (s *Spool) Ack(n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		return nil
	}
	n = min(n, len(s.queue))
	last := s.queue[n-1]
	for _, e := range s.queue[:n] {
		s.bytes -= e.size
	}
	s.queue = append(s.queue[:0:0], s.queue[n:]...)
	s.readSeg, s.readOff = last.seg, last.end
	if err := s.saveCursor(); err != nil {
		return err
	}
	for len(s.segs) > 1 && s.segs[0].id < s.readSeg {
		if f, ok := s.readers[s.segs[0].id]; ok {
			f.Close()
			delete(s.readers, s.segs[0].id)
		}
		if err := os.Remove(filepath.Join(s.cfg.Dir, segName(s.segs[0].id))); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("spool: remove segment: %w", err)
		}
		s.segs = s.segs[1:]
	}
	return nil
}

func (s *Spool) loadCursor() (uint64, int64) {
	b, err := os.ReadFile(filepath.Join(s.cfg.Dir, cursorFile))
	if err != nil {
		return 0, 0
	}
	seg, off, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	id, err1 := strconv.ParseUint(seg, 10, 64)
	o, err2 := strconv.ParseInt(off, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0 // unreadable: deliver everything again (at least once)
	}
	return id, o
}

// saveCursor writes the read position atomically (rename). It is not
// fsynced: losing it delivers entries again, never loses one.
func (s *Spool) saveCursor() error {
	tmp := filepath.Join(s.cfg.Dir, cursorFile+".tmp")
	if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d\n", s.readSeg, s.readOff), 0o640); err != nil {
		return fmt.Errorf("spool: save cursor: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(s.cfg.Dir, cursorFile)); err != nil {
		return fmt.Errorf("spool: save cursor: %w", err)
	}
	return nil
}

// Stats reports what the spool holds.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Records: len(s.queue), Bytes: s.bytes, Corrupt: s.corrupt}
	if len(s.queue) > 0 {
		st.Oldest = s.queue[0].Appended
	}
	return st
}

// MaxBytes is the configured limit.
func (s *Spool) MaxBytes() int64 { return s.cfg.MaxBytes }

// Pending reports whether unacknowledged entries remain.
func (s *Spool) Pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) > 0
}

// Close syncs and closes the active segment. Entries not acknowledged stay
// on disk for the next Open.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.cond.Broadcast()
	for id, f := range s.readers {
		f.Close()
		delete(s.readers, id)
	}
	if err := s.active.Sync(); err != nil {
		s.active.Close()
		return fmt.Errorf("spool: fsync: %w", err)
	}
	return s.active.Close()
}
