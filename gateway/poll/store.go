package poll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/corridorhq/corridor/gateway/sink"
)

// writer is what the store needs of a sink.
type writer interface {
	Write(ctx context.Context, msgs ...sink.Message) error
}

// kafkaWriter adapts a kafka-go Writer.
type kafkaWriter struct{ w *kafka.Writer }

func (k kafkaWriter) Write(ctx context.Context, msgs ...sink.Message) error {
	km := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		km[i] = kafka.Message{Topic: m.Topic, Key: m.Key, Value: m.Value}
	}
	return k.w.WriteMessages(ctx, km...)
}

// store reads and writes cursors in the state topic and creates the
// framework's topics.
type store struct {
	client      *kafka.Client
	sink        writer
	topics      Config
	replication int
}

// ensureTopics creates the state topic (compacted) and the pollers topic
// when missing.
func (s *store) ensureTopics(ctx context.Context) error {
	resp, err := s.client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{
			Topic: s.topics.StateTopic.Name, NumPartitions: s.topics.StateTopic.Partitions, ReplicationFactor: s.replication,
			ConfigEntries: []kafka.ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "compact"}},
		},
		{Topic: s.topics.PollersTopic.Name, NumPartitions: s.topics.PollersTopic.Partitions, ReplicationFactor: s.replication},
	}})
	if err != nil {
		return fmt.Errorf("poll: create topics: %w", err)
	}
	var errs []error
	for name, err := range resp.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("poll: create topic %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// partitions returns the number of partitions topic has on the broker
// (which is what every instance must agree on, whatever the config says).
func (s *store) partitions(ctx context.Context, topic string) (int, error) {
	meta, err := s.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return 0, fmt.Errorf("poll: metadata of %s: %w", topic, err)
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil || len(meta.Topics[0].Partitions) == 0 {
		var terr error
		if len(meta.Topics) == 1 {
			terr = meta.Topics[0].Error
		}
		return 0, fmt.Errorf("poll: metadata of %s: no partitions (%v)", topic, terr)
	}
	return len(meta.Topics[0].Partitions), nil
}

// load reads the state topic to its end and returns the latest cursor of
// every connector. Values that do not decode are reported in bad and
// otherwise ignored (the connector starts from scratch, which is at least
// once, never a gap).
func (s *store) load(ctx context.Context) (states map[string]State, bad []string, err error) {
	topic := s.topics.StateTopic.Name
	n, err := s.partitions(ctx, topic)
	if err != nil {
		return nil, nil, err
	}
	reqs := make([]kafka.OffsetRequest, 0, 2*n)
	for p := range n {
		reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	offs, err := s.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, nil, fmt.Errorf("poll: list offsets of %s: %w", topic, err)
	}
	first, last := map[int]int64{}, map[int]int64{}
	for _, po := range offs.Topics[topic] {
		if po.Error != nil {
			return nil, nil, fmt.Errorf("poll: offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		first[po.Partition], last[po.Partition] = po.FirstOffset, po.LastOffset
		if po.FirstOffset < 0 || po.FirstOffset > po.LastOffset {
			first[po.Partition] = 0
		}
	}
	raw := map[string][]byte{}
	for p := range n {
		if err := s.readPartition(ctx, topic, p, first[p], last[p], raw); err != nil {
			return nil, nil, err
		}
	}
	states = make(map[string]State, len(raw))
	for key, v := range raw {
		id, ok := strings.CutPrefix(key, stateKeyPrefix)
		if !ok || v == nil {
			continue
		}
		st, err := decodeState(v)
		if err != nil {
			bad = append(bad, id)
			continue
		}
		states[id] = st
	}
	sort.Strings(bad)
	return states, bad, nil
}

// readPartition reads [from, to) of one partition into latest (key →
// value; a tombstone stores nil).
func (s *store) readPartition(ctx context.Context, topic string, p int, from, to int64, latest map[string][]byte) error {
	empty := 0
	for off := from; off < to; {
		resp, err := s.client.Fetch(ctx, &kafka.FetchRequest{Topic: topic, Partition: p, Offset: off, MinBytes: 1, MaxBytes: 8 << 20, MaxWait: 500 * time.Millisecond})
		if err == nil {
			err = resp.Error
		}
		if err != nil {
			return fmt.Errorf("poll: fetch %s/%d@%d: %w", topic, p, off, err)
		}
		n := 0
		for {
			r, err := resp.Records.ReadRecord()
			if err != nil {
				break
			}
			n++
			off = r.Offset + 1
			if r.Key == nil {
				continue
			}
			key, err := readAll(r.Key)
			if err != nil {
				return fmt.Errorf("poll: read %s/%d@%d: %w", topic, p, r.Offset, err)
			}
			var value []byte
			if r.Value != nil {
				if value, err = readAll(r.Value); err != nil {
					return fmt.Errorf("poll: read %s/%d@%d: %w", topic, p, r.Offset, err)
				}
			}
			latest[string(key)] = value
		}
		if n == 0 {
			// Compaction may leave no record between off and the end;
			// an empty answer three times running means there is none.
			if empty++; empty == 3 {
				return nil
			}
		} else {
			empty = 0
		}
	}
	return nil
}

func readAll(b kafka.Bytes) ([]byte, error) {
	defer b.Close()
	return io.ReadAll(b)
}

// save writes st as id's cursor and waits for acks=all.
func (s *store) save(ctx context.Context, id string, st *State, now time.Time) error {
	st.Version = stateVersion
	st.UpdatedAt = now.UTC()
	value, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("poll: encode cursor of %s: %w", id, err)
	}
	msg := sink.Message{Topic: s.topics.StateTopic.Name, Key: []byte(StateKey(id)), Value: value}
	if err := s.sink.Write(ctx, msg); err != nil {
		return fmt.Errorf("poll: save cursor of %s: %w", id, err)
	}
	return nil
}
