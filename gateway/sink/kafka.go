package sink

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"
	"github.com/segmentio/kafka-go/compress/snappy"
)

func init() {
	// kafka-go's snappy codec is a process-wide global, and its zero value
	// uses s2's "better" encoder. The fast encoder writes the same snappy
	// format (every consumer reads it unchanged) three to four times as
	// fast, and batches of feedback records come out 2-3% larger
	// (BenchmarkSnappy). Corridor owns the process, so it sets the global
	// once, before any producer starts.
	compress.SnappyCodec.Compression = snappy.FasterCompression
}

// Topic names a topic and the partition count used when creating it.
type Topic struct {
	// Name of the topic.
	Name string `yaml:"name"`
	// Partitions when the topic is created. Must be >= 1.
	Partitions int `yaml:"partitions"`
}

// Topics are the three topics Corridor writes.
type Topics struct {
	// Feedback holds normalized, tagged records. Default: corridor.feedback.v1, 12 partitions.
	Feedback Topic `yaml:"feedback"`
	// Raw holds the exact received requests. Default: corridor.raw.v1, 12 partitions.
	Raw Topic `yaml:"raw"`
	// DLQ holds rejected requests that arrived intact. Default: corridor.dlq.v1, 3 partitions.
	DLQ Topic `yaml:"dlq"`
}

// KafkaConfig configures the Kafka sink.
type KafkaConfig struct {
	// Brokers are the bootstrap addresses. Default: none (the embedded broker).
	Brokers []string `yaml:"brokers"`
	// Topics to write. Defaults above.
	Topics Topics `yaml:"topics"`
	// ReplicationFactor of topics Corridor creates. Default: 1 (use 3 on a real cluster).
	ReplicationFactor int `yaml:"replication_factor"`
	// BatchTimeout is how long the producer, when idle, waits for more
	// concurrent writes before it sends. Under load, writes that arrive
	// while a produce request is in flight go together in the next one
	// anyway, so this only matters at low rates. Default: 0 (send at once).
	BatchTimeout time.Duration `yaml:"batch_timeout"`
	// BatchSize is the most messages of one partition in one produce
	// request; the rest wait for the next request. Default: 1000.
	BatchSize int `yaml:"batch_size"`
	// Compression codec: none, gzip, snappy, lz4 or zstd. Default: snappy.
	Compression string `yaml:"compression"`
	// DialTimeout bounds connecting to a broker. Default: 3s.
	DialTimeout time.Duration `yaml:"dial_timeout"`
}

// NewDefaultKafkaConfig returns the defaults.
func NewDefaultKafkaConfig() KafkaConfig {
	return KafkaConfig{
		Topics: Topics{
			Feedback: Topic{Name: "corridor.feedback.v1", Partitions: 12},
			Raw:      Topic{Name: "corridor.raw.v1", Partitions: 12},
			DLQ:      Topic{Name: "corridor.dlq.v1", Partitions: 3},
		},
		ReplicationFactor: 1,
		BatchSize:         1000,
		Compression:       "snappy",
		DialTimeout:       3 * time.Second,
	}
}

var codecs = map[string]kafka.Compression{
	"none":   0,
	"gzip":   compress.Gzip,
	"snappy": compress.Snappy,
	"lz4":    compress.Lz4,
	"zstd":   compress.Zstd,
}

// Validate reports every problem with c. Brokers may be empty (the caller
// starts the embedded broker and fills them in).
func (c KafkaConfig) Validate() error {
	var errs []error
	for i, b := range c.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			errs = append(errs, fmt.Errorf("brokers[%d]: %q is not host:port", i, b))
		}
	}
	seen := map[string]string{}
	for _, t := range []struct {
		field string
		topic Topic
	}{{"feedback", c.Topics.Feedback}, {"raw", c.Topics.Raw}, {"dlq", c.Topics.DLQ}} {
		if t.topic.Name == "" {
			errs = append(errs, fmt.Errorf("topics.%s.name: empty", t.field))
		} else if other, dup := seen[t.topic.Name]; dup {
			errs = append(errs, fmt.Errorf("topics.%s.name: %q is also topics.%s", t.field, t.topic.Name, other))
		}
		seen[t.topic.Name] = t.field
		if t.topic.Partitions < 1 {
			errs = append(errs, fmt.Errorf("topics.%s.partitions: %d, must be >= 1", t.field, t.topic.Partitions))
		}
	}
	if c.ReplicationFactor < 1 {
		errs = append(errs, fmt.Errorf("replication_factor: %d, must be >= 1", c.ReplicationFactor))
	}
	if c.BatchTimeout < 0 || c.BatchTimeout > time.Second {
		errs = append(errs, fmt.Errorf("batch_timeout: %v, must be between 0 and 1s", c.BatchTimeout))
	}
	if c.BatchSize < 1 {
		errs = append(errs, fmt.Errorf("batch_size: %d, must be >= 1", c.BatchSize))
	}
	if _, ok := codecs[c.Compression]; !ok {
		errs = append(errs, fmt.Errorf("compression: %q is not none, gzip, snappy, lz4 or zstd", c.Compression))
	}
	if c.DialTimeout <= 0 {
		errs = append(errs, fmt.Errorf("dial_timeout: %v, must be > 0", c.DialTimeout))
	}
	return errors.Join(errs...)
}

// Kafka is a Sink that sends the messages of all concurrent writes together:
// one produce request per leader broker per round trip (see producer).
type Kafka struct {
	cfg      KafkaConfig
	client   *kafka.Client
	producer *producer
}

var _ Sink = (*Kafka)(nil)

// NewKafka returns a ready Kafka sink. It does not contact the brokers.
func NewKafka(cfg KafkaConfig) (*Kafka, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("sink: no brokers")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sink: config: %w", err)
	}
	transport := &kafka.Transport{
		Dial:        (&net.Dialer{Timeout: cfg.DialTimeout}).DialContext,
		ClientID:    "corridor",
		MetadataTTL: 3 * time.Second, // how soon a moved partition leader is seen
	}
	addr := kafka.TCP(cfg.Brokers...)
	client := &kafka.Client{Addr: addr, Timeout: 5 * time.Second, Transport: transport}
	return &Kafka{cfg: cfg, client: client, producer: newProducer(transport, addr, client, cfg)}, nil
}

// Write sends msgs with acks=all and waits for the acknowledgement of every
// one, or until ctx ends. Messages are partitioned by key with murmur2 (the
// Java client's default), so one customer's records stay on one partition.
func (k *Kafka) Write(ctx context.Context, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := k.producer.write(ctx, msgs); err != nil {
		return fmt.Errorf("sink: write %d messages: %w", len(msgs), err)
	}
	return nil
}

// Ready asks the brokers for the feedback topic's metadata.
func (k *Kafka) Ready(ctx context.Context) error {
	resp, err := k.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{k.cfg.Topics.Feedback.Name}})
	if err != nil {
		return fmt.Errorf("sink: metadata: %w", err)
	}
	for _, t := range resp.Topics {
		if t.Error != nil {
			return fmt.Errorf("sink: topic %s: %w", t.Name, t.Error)
		}
	}
	return nil
}

// EnsureTopics creates any missing topic of cfg.Topics.
func (k *Kafka) EnsureTopics(ctx context.Context) error {
	req := &kafka.CreateTopicsRequest{}
	for _, t := range []Topic{k.cfg.Topics.Feedback, k.cfg.Topics.Raw, k.cfg.Topics.DLQ} {
		req.Topics = append(req.Topics, kafka.TopicConfig{Topic: t.Name, NumPartitions: t.Partitions, ReplicationFactor: k.cfg.ReplicationFactor})
	}
	resp, err := k.client.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("sink: create topics: %w", err)
	}
	var errs []error
	for name, err := range resp.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("sink: create topic %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Stats returns the producer's cumulative counts.
func (k *Kafka) Stats() ProducerStats { return k.producer.snapshot() }

// Close stops taking writes, waits for the queued ones to finish (each is
// bounded by its writer's context) and closes the broker connections.
func (k *Kafka) Close() error {
	k.producer.close()
	if t, ok := k.client.Transport.(*kafka.Transport); ok {
		t.CloseIdleConnections()
	}
	return nil
}

// Permanent reports whether err can never succeed on retry (the message is
// larger than the broker accepts, or the topic is invalid).
func Permanent(err error) bool {
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for _, e := range we {
			if e != nil && Permanent(e) {
				return true
			}
		}
		return false
	}
	var tooLarge kafka.MessageTooLargeError
	if errors.As(err, &tooLarge) {
		return true
	}
	var kerr kafka.Error
	if errors.As(err, &kerr) {
		switch kerr {
		case kafka.MessageSizeTooLarge, kafka.InvalidTopic, kafka.RecordListTooLarge, kafka.TopicAuthorizationFailed:
			return true
		}
	}
	return false
}
