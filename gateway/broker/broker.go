package broker

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Config is the development broker's configuration.
type Config struct {
	// Addr is the host:port to listen on. Default: 127.0.0.1:9092.
	Addr string `yaml:"addr"`
	// DataDir is where topics and records persist. Default: ./var/kafka.
	DataDir string `yaml:"data_dir"`
	// Partitions is the default partition count of topics created without
	// one. Default: 6.
	Partitions int `yaml:"partitions"`
	// SyncWrites fsyncs every produce before acknowledging it. Default: false.
	SyncWrites bool `yaml:"sync_writes"`
}

// NewDefaultConfig returns the defaults.
func NewDefaultConfig() Config {
	return Config{Addr: "127.0.0.1:9092", DataDir: filepath.Join("var", "kafka"), Partitions: 6}
}

// Validate reports every problem with c.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr: %q is not host:port: %w", c.Addr, err))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir: empty"))
	}
	if c.Partitions < 1 {
		errs = append(errs, fmt.Errorf("partitions: %d, must be >= 1", c.Partitions))
	}
	return errors.Join(errs...)
}

// Broker is a running development broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
	once    sync.Once
}

// Start starts the broker described by cfg.
func Start(cfg Config) (*Broker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("broker: config: %w", err)
	}
	host, portStr, _ := net.SplitHostPort(cfg.Addr)
	port, err := net.LookupPort("tcp", portStr)
	if err != nil {
		return nil, fmt.Errorf("broker: port %q: %w", portStr, err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("broker: data dir: %w", err)
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.DataDir(cfg.DataDir),
		kfake.DefaultNumPartitions(cfg.Partitions),
		kfake.AllowAutoTopicCreation(),
		// kfake always asks for 127.0.0.1:<port>; listen on the configured host.
		kfake.ListenFn(func(network, address string) (net.Listener, error) {
			_, p, err := net.SplitHostPort(address)
			if err != nil {
				return nil, err
			}
			return net.Listen(network, net.JoinHostPort(host, p))
		}),
	}
	if cfg.SyncWrites {
		opts = append(opts, kfake.SyncWrites())
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("broker: start on %s (data %s): %w", cfg.Addr, cfg.DataDir, err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) == 0 {
		c.Close()
		return nil, errors.New("broker: started without a listener")
	}
	return &Broker{cluster: c, addr: addrs[0]}, nil
}

// Addr is the host:port the broker listens on.
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker and flushes its data directory.
func (b *Broker) Close() {
	b.once.Do(b.cluster.Close)
}
