package sink

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
)

// Scan calls fn for every message of topic, partition by partition in
// offset order, up to each partition's high watermark at the time of the
// call (messages written while it runs are not visited).
func Scan(ctx context.Context, brokers []string, topic string, fn func(Message) error) error {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 30 * time.Second}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return fmt.Errorf("sink: scan %s: metadata: %w", topic, err)
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return fmt.Errorf("sink: scan %s: topic not found", topic)
	}
	var parts []int
	for _, p := range meta.Topics[0].Partitions {
		parts = append(parts, p.ID)
	}
	sort.Ints(parts)
	reqs := make([]kafka.OffsetRequest, 0, 2*len(parts))
	for _, p := range parts {
		reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	offs, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return fmt.Errorf("sink: scan %s: list offsets: %w", topic, err)
	}
	low, high := map[int]int64{}, map[int]int64{}
	for _, po := range offs.Topics[topic] {
		if po.Error != nil {
			return fmt.Errorf("sink: scan %s/%d: %w", topic, po.Partition, po.Error)
		}
		low[po.Partition], high[po.Partition] = po.FirstOffset, po.LastOffset
	}
	for _, p := range parts {
		for off := low[p]; off < high[p]; {
			resp, err := client.Fetch(ctx, &kafka.FetchRequest{Topic: topic, Partition: p, Offset: off, MinBytes: 1, MaxBytes: 8 << 20, MaxWait: 500 * time.Millisecond})
			if err == nil && resp.Error != nil {
				err = resp.Error
			}
			if err != nil {
				return fmt.Errorf("sink: scan %s/%d@%d: %w", topic, p, off, err)
			}
			n := 0
			for off < high[p] {
				r, err := resp.Records.ReadRecord()
				if err != nil {
					break
				}
				m, err := recordMessage(topic, r)
				if err != nil {
					return err
				}
				if err := fn(m); err != nil {
					return err
				}
				off = r.Offset + 1
				n++
			}
			if n == 0 {
				return fmt.Errorf("sink: scan %s/%d@%d: no records below high watermark %d", topic, p, off, high[p])
			}
		}
	}
	return nil
}

func recordMessage(topic string, r *kafka.Record) (Message, error) {
	m := Message{Topic: topic}
	var err error
	if m.Key, err = readAll(r.Key); err != nil {
		return m, err
	}
	if m.Value, err = readAll(r.Value); err != nil {
		return m, err
	}
	for _, h := range r.Headers {
		m.Headers = append(m.Headers, Header{Key: h.Key, Value: h.Value})
	}
	return m, nil
}

func readAll(b protocol.Bytes) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	defer b.Close()
	out, err := io.ReadAll(b)
	if err != nil {
		return nil, fmt.Errorf("sink: read record: %w", err)
	}
	return out, nil
}

// ParseRaw rebuilds the received request from a raw-topic (or dead-letter)
// message: the inverse of RawMessage. Withheld credentials stay withheld.
func ParseRaw(m Message) (*Raw, error) {
	r := &Raw{Header: http.Header{}, Body: m.Value}
	for _, h := range m.Headers {
		v := string(h.Value)
		switch {
		case h.Key == HeaderSource:
			r.Source = v
		case h.Key == HeaderMethod:
			r.Method = v
		case h.Key == HeaderURI:
			r.URI = v
		case h.Key == "content-type":
			r.ContentType = v
		case h.Key == HeaderReceivedAt:
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, fmt.Errorf("sink: raw message: %s %q: %w", HeaderReceivedAt, v, err)
			}
			r.ReceivedAt = t
		case strings.HasPrefix(h.Key, HTTPHeaderPrefix):
			r.Header.Add(strings.TrimPrefix(h.Key, HTTPHeaderPrefix), v)
		}
	}
	if r.Source == "" || r.ReceivedAt.IsZero() {
		return nil, fmt.Errorf("sink: raw message lacks %s or %s", HeaderSource, HeaderReceivedAt)
	}
	return r, nil
}
