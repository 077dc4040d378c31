package sink

import "context"

// Sink writes messages durably.
type Sink interface {
	// Write returns nil once every message is acknowledged by all in-sync
	// replicas, or an error; it never outlives ctx.
	Write(ctx context.Context, msgs ...Message) error
	// Ready reports whether the broker answers.
	Ready(ctx context.Context) error
	// Close flushes and releases the sink.
	Close() error
}
