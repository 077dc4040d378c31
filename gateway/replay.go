package gateway

import (
	"context"
	"fmt"
	"time"

	"github.com/corridorhq/corridor/gateway/sink"
)

// Replay bounds: one drain step reads at most this much of the spool.
const (
	replayEntries = 512
	replayBytes   = 4 << 20
	replayTimeout = 10 * time.Second
)

// RunReplayer drains the spool to Kafka, in order, until ctx ends: at start
// (what an earlier process left) and whenever requests were spooled. A
// failed write is retried with backoff; entries are acknowledged only after
// Kafka acknowledged them, so a crash replays them again (same record ids).
func (s *Server) RunReplayer(ctx context.Context) error {
	p := s.pipeline
	if p.spool == nil {
		<-ctx.Done()
		return nil
	}
	backoff := 100 * time.Millisecond
	for {
		n, err := p.replayOnce(ctx)
		switch {
		case err != nil:
			s.log.Warn("spool replay failed; retrying", "err", err, "backoff", backoff)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		case n > 0:
			backoff = 100 * time.Millisecond
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.spool.NotEmpty():
		case <-time.After(time.Second):
		}
	}
}

// Drain replays until the spool is empty or ctx ends (graceful shutdown).
func (s *Server) Drain(ctx context.Context) error {
	p := s.pipeline
	for p.spool != nil && p.spool.Pending() {
		n, err := p.replayOnce(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			// Only entries whose fsync failed remain; they are not readable
			// and stay on disk for the next start.
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// replayOnce writes one batch of spooled entries and acknowledges them.
func (p *Pipeline) replayOnce(ctx context.Context) (int, error) {
	entries, err := p.spool.Peek(replayEntries, replayBytes)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	var msgs []sink.Message
	for _, e := range entries {
		batch, err := sink.UnmarshalBatch(e.Payload)
		if err != nil {
			// The spool's checksum passed, so this is a bug, not disk rot:
			// keep the entry and say so loudly.
			return 0, fmt.Errorf("spool entry of %s: %w", e.Appended.Format(time.RFC3339Nano), err)
		}
		msgs = append(msgs, batch...)
	}
	wctx, cancel := context.WithTimeout(ctx, replayTimeout)
	defer cancel()
	start := time.Now()
	if err := p.sink.Write(wctx, msgs...); err != nil {
		p.m.spoolReplayErrors.Inc()
		return 0, fmt.Errorf("write %d spooled messages: %w", len(msgs), err)
	}
	p.m.sinkDuration.WithLabelValues(streamSpool).Observe(time.Since(start).Seconds())
	if err := p.spool.Ack(len(entries)); err != nil {
		return 0, err
	}
	p.m.spoolReplayed.Add(float64(len(entries)))
	return len(entries), nil
}
