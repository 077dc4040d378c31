package poll

import (
	"errors"
	"fmt"
	"time"

	"github.com/corridorhq/corridor/gateway/sink"
)

// Config is the polling framework's part of the config (`poll:`); the feeds
// themselves are the top-level `connectors:` list.
type Config struct {
	// StateTopic holds one cursor per connector, keyed "poll/<id>"; it is
	// created compacted (cleanup.policy=compact). Default:
	// corridor.state.v1, 3 partitions.
	StateTopic sink.Topic `yaml:"state_topic"`
	// PollersTopic is never written: its partitions are the units of
	// ownership, handed out by the consumer group. A connector belongs to
	// partition fnv32a(id) mod partitions. More partitions than instances
	// spread connectors more evenly. Default: corridor.pollers.v1, 16
	// partitions.
	PollersTopic sink.Topic `yaml:"pollers_topic"`
	// GroupID is the consumer group every instance of one deployment joins.
	// Default: corridor-pollers.
	GroupID string `yaml:"group_id"`
	// SessionTimeout is how long the group waits for a silent instance
	// before its connectors go to the others (a crashed instance's
	// connectors are taken over within about SessionTimeout +
	// HeartbeatInterval). Brokers accept 6s..5m by default. Default: 10s.
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// HeartbeatInterval is how often an instance tells the group it is
	// alive and learns of a rebalance. Default: 1s.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	// RebalanceTimeout is how long the group waits for instances to stop
	// their pollers and rejoin during a rebalance. Default: 30s.
	RebalanceTimeout time.Duration `yaml:"rebalance_timeout"`
	// WriteTimeout bounds each Kafka write (records, cursor). Default: 10s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// Backoff is the wait after a first failed poll; it doubles per
	// consecutive failure, with jitter. A vendor's Retry-After wins when
	// longer. Default: 5s.
	Backoff time.Duration `yaml:"backoff"`
	// MaxBackoff caps the wait after failures (and never exceeds the
	// connector's interval). Default: 5m.
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// PagingTTL is how long a paging token saved mid-walk is trusted; an
	// older one restarts the walk from the newest page (records already
	// written are skipped by id and version, not written again). Default: 1h.
	PagingTTL time.Duration `yaml:"paging_ttl"`
	// ResumeAttempts is how many consecutive failed fetches of a saved
	// paging token restart the walk from the newest page (the vendor may
	// have expired the token). Default: 3.
	ResumeAttempts int `yaml:"resume_attempts"`
}

// NewDefaultConfig returns the defaults.
func NewDefaultConfig() Config {
	return Config{
		StateTopic:        sink.Topic{Name: "corridor.state.v1", Partitions: 3},
		PollersTopic:      sink.Topic{Name: "corridor.pollers.v1", Partitions: 16},
		GroupID:           "corridor-pollers",
		SessionTimeout:    10 * time.Second,
		HeartbeatInterval: time.Second,
		RebalanceTimeout:  30 * time.Second,
		WriteTimeout:      10 * time.Second,
		Backoff:           5 * time.Second,
		MaxBackoff:        5 * time.Minute,
		PagingTTL:         time.Hour,
		ResumeAttempts:    3,
	}
}

// Validate reports every problem with c.
func (c Config) Validate() error {
	var errs []error
	for _, t := range []struct {
		field string
		topic sink.Topic
	}{{"state_topic", c.StateTopic}, {"pollers_topic", c.PollersTopic}} {
		if t.topic.Name == "" {
			errs = append(errs, fmt.Errorf("%s.name: empty", t.field))
		}
		if t.topic.Partitions < 1 {
			errs = append(errs, fmt.Errorf("%s.partitions: %d, must be >= 1", t.field, t.topic.Partitions))
		}
	}
	if c.StateTopic.Name != "" && c.StateTopic.Name == c.PollersTopic.Name {
		errs = append(errs, fmt.Errorf("pollers_topic.name: %q is also state_topic", c.PollersTopic.Name))
	}
	if c.GroupID == "" {
		errs = append(errs, errors.New("group_id: empty"))
	}
	if c.SessionTimeout <= 0 || c.HeartbeatInterval <= 0 || c.RebalanceTimeout <= 0 {
		errs = append(errs, errors.New("session_timeout, heartbeat_interval and rebalance_timeout must be > 0"))
	} else if c.HeartbeatInterval >= c.SessionTimeout {
		errs = append(errs, fmt.Errorf("heartbeat_interval: %v, must be below session_timeout %v", c.HeartbeatInterval, c.SessionTimeout))
	}
	if c.WriteTimeout <= 0 {
		errs = append(errs, fmt.Errorf("write_timeout: %v, must be > 0", c.WriteTimeout))
	}
	if c.Backoff <= 0 || c.MaxBackoff < c.Backoff {
		errs = append(errs, fmt.Errorf("backoff: %v and max_backoff: %v, need 0 < backoff <= max_backoff", c.Backoff, c.MaxBackoff))
	}
	if c.PagingTTL <= 0 {
		errs = append(errs, fmt.Errorf("paging_ttl: %v, must be > 0", c.PagingTTL))
	}
	if c.ResumeAttempts < 1 {
		errs = append(errs, fmt.Errorf("resume_attempts: %d, must be >= 1", c.ResumeAttempts))
	}
	return errors.Join(errs...)
}
