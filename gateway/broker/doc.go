// Package broker runs Corridor's development Kafka-protocol broker: an
// in-process github.com/twmb/franz-go/pkg/kfake cluster of one broker,
// persisted under a data directory so topics and records survive a restart.
//
// # Contract
//
// Start listens on the configured loopback address and returns once the
// broker answers; Addr reports the address actually bound (useful with port
// 0). Records are written to the OS on every produce; with SyncWrites they are
// also fsynced before the produce is acknowledged (durable across power loss,
// slower). Without it, like Kafka's own default, a process crash loses
// nothing but a machine crash may lose the page cache.
//
// It is a development and test broker: production points Corridor at a real
// Kafka cluster (`--kafka-brokers`).
//
// # Errors
//
// Start wraps listen and data-directory errors with "broker: ...".
//
// # Concurrency
//
// A Broker is safe for concurrent use; Close is idempotent.
package broker
