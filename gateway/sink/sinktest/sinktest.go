// Package sinktest reads topics back from a real Kafka-protocol broker and
// starts throwaway brokers, for tests of what Corridor wrote on the wire.
package sinktest

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/corridorhq/corridor/gateway/broker"
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
// then offset order. It reads up to each partition's high watermark at the
// time of the call.
func ReadAll(ctx context.Context, addr, topic string) ([]kafka.Message, error) {
	client := &kafka.Client{Addr: kafka.TCP(addr), Timeout: 10 * time.Second}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return nil, fmt.Errorf("topic %s: %+v", topic, meta.Topics)
	}
	var parts []int
	for _, p := range meta.Topics[0].Partitions {
		parts = append(parts, p.ID)
	}
	sort.Ints(parts)
	reqs := make([]kafka.OffsetRequest, len(parts))
	for i, p := range parts {
		reqs[i] = kafka.LastOffsetOf(p)
	}
	offs, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	high := map[int]int64{}
	for _, po := range offs.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		high[po.Partition] = po.LastOffset
	}
	var out []kafka.Message
	for _, p := range parts {
		for off := int64(0); off < high[p]; {
			resp, err := client.Fetch(ctx, &kafka.FetchRequest{Topic: topic, Partition: p, Offset: off, MinBytes: 1, MaxBytes: 8 << 20, MaxWait: 500 * time.Millisecond})
			if err != nil {
				return nil, fmt.Errorf("fetch %s/%d@%d: %w", topic, p, off, err)
			}
			if resp.Error != nil {
				return nil, fmt.Errorf("fetch %s/%d@%d: %w", topic, p, off, resp.Error)
			}
			n := 0
			for {
				r, err := resp.Records.ReadRecord()
				if err != nil {
					break
				}
				m, err := toMessage(topic, p, r)
				if err != nil {
					return nil, err
				}
				out = append(out, m)
				off = r.Offset + 1
				n++
			}
			if n == 0 {
				return nil, fmt.Errorf("fetch %s/%d@%d: no records below high watermark %d", topic, p, off, high[p])
			}
		}
	}
	return out, nil
}

func toMessage(topic string, p int, r *kafka.Record) (kafka.Message, error) {
	m := kafka.Message{Topic: topic, Partition: p, Offset: r.Offset, Time: r.Time}
	var err error
	if r.Key != nil {
		if m.Key, err = readBytes(r.Key); err != nil {
			return m, err
		}
	}
	if r.Value != nil {
		if m.Value, err = readBytes(r.Value); err != nil {
			return m, err
		}
	}
	for _, h := range r.Headers {
		m.Headers = append(m.Headers, kafka.Header{Key: h.Key, Value: h.Value})
	}
	return m, nil
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
