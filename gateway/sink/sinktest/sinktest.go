package sinktest

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/corridorhq/corridor/gateway/broker"
	"github.com/corridorhq/corridor/gateway/sink"
)

// StartBroker starts an embedded broker on a random loopback port with its
// data in a test temp dir, closed when the test ends.
func StartBroker(t testing.TB) *broker.Broker {
	t.Helper()
	cfg := broker.NewDefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	b, err := broker.Start(cfg)
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// ReadAll returns every message of topic, across partitions, in partition
// then offset order, up to each partition's high watermark at the time of
// the call.
func ReadAll(ctx context.Context, addr, topic string) ([]kafka.Message, error) {
	var out []kafka.Message
	err := sink.Scan(ctx, []string{addr}, topic, func(m sink.Message) error {
		km := kafka.Message{Topic: m.Topic, Key: m.Key, Value: m.Value}
		for _, h := range m.Headers {
			km.Headers = append(km.Headers, kafka.Header{Key: h.Key, Value: h.Value})
		}
		out = append(out, km)
		return nil
	})
	return out, err
}

// WaitFor polls ReadAll until it returns at least n messages or the timeout.
func WaitFor(t testing.TB, addr, topic string, n int, timeout time.Duration) []kafka.Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		msgs, err := ReadAll(ctx, addr, topic)
		cancel()
		if err == nil && len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("topic %s: want >= %d messages within %s, got %d (err %v)", topic, n, timeout, len(msgs), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Header returns the value of m's header key.
func Header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
