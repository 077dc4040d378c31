package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/all"
	"github.com/corridorhq/corridor/gateway"
	"github.com/corridorhq/corridor/gateway/broker"
	"github.com/corridorhq/corridor/gateway/poll"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/spool"
	"github.com/corridorhq/corridor/nlp"
)

// Config is everything `corridor serve` can be told, in one struct. It is
// loaded as defaults, then the YAML file, then CORRIDOR_* environment
// variables, then flags, and validated once, reporting every problem.
type Config struct {
	// DataDir holds the embedded broker's data. Default: ./var.
	DataDir string `yaml:"data_dir"`
	// LogLevel is debug, info, warn or error. Default: info.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json. Default: text.
	LogFormat string `yaml:"log_format"`
	// Gateway is the HTTP side.
	Gateway gateway.Config `yaml:"gateway"`
	// Kafka is where records go; no brokers means the embedded broker.
	Kafka sink.KafkaConfig `yaml:"kafka"`
	// EmbeddedKafka is the broker started when Kafka.Brokers is empty. Its
	// data_dir defaults to <data_dir>/kafka.
	EmbeddedKafka broker.Config `yaml:"embedded_kafka"`
	// NLP configures the analysis stage.
	NLP nlp.Config `yaml:"nlp"`
	// Spool keeps accepted requests on disk while Kafka is unavailable. Its
	// dir defaults to <data_dir>/spool.
	Spool SpoolConfig `yaml:"spool"`
	// ShutdownGrace bounds finishing in-flight requests and draining the
	// spool on SIGTERM. Default: 15s.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// GCPercent is the Go garbage collector's target (what GOGC sets): the
	// heap may grow to (1 + gc_percent/100) times the live heap between
	// collections. The gateway's live heap is small (~15 MB with the default
	// taxonomy), so 400 trades ~30 MB of memory for ~10% less CPU per
	// request under load (benchmarks/README.md). A GOGC environment variable
	// overrides it; bound memory with GOMEMLIMIT (the Kubernetes manifests
	// set it from the container limit). Default: 400.
	GCPercent int `yaml:"gc_percent"`
	// PprofAddr, when set, serves net/http/pprof on its own listener (keep
	// it on loopback). Also CORRIDOR_PPROF_ADDR. Default: off.
	PprofAddr string `yaml:"pprof_addr"`
	// Sources are the webhook sources by name (the route segment). A source
	// is also configured by setting CORRIDOR_SECRET_<NAME> for a known vendor.
	Sources map[string]connectors.SourceConfig `yaml:"sources"`
	// Connectors are the review feeds polled (issue 6), each with `type`,
	// `id`, params and credentials named by environment variable. Default:
	// none.
	Connectors []connectors.PollerConfig `yaml:"connectors"`
	// Poll configures polling: cursor and ownership topics, consumer group,
	// backoff.
	Poll poll.Config `yaml:"poll"`
}

// SpoolConfig turns the spool on or off around its settings.
type SpoolConfig struct {
	// Enabled: false answers 503 whenever Kafka cannot take a write in time.
	// Default: true.
	Enabled      bool `yaml:"enabled"`
	spool.Config `yaml:",inline"`
}

// defaultConfig returns the defaults of every field.
func defaultConfig() Config {
	b := broker.NewDefaultConfig()
	b.DataDir = ""
	return Config{
		DataDir:       "./var",
		LogLevel:      "info",
		LogFormat:     "text",
		Gateway:       gateway.NewDefaultConfig(),
		Kafka:         sink.NewDefaultKafkaConfig(),
		EmbeddedKafka: b,
		NLP:           nlp.NewDefaultConfig(),
		Spool:         SpoolConfig{Enabled: true, Config: spool.NewDefaultConfig()},
		ShutdownGrace: 15 * time.Second,
		GCPercent:     400,
		Sources:       map[string]connectors.SourceConfig{},
		Poll:          poll.NewDefaultConfig(),
	}
}

// flagValues are the flags `serve` (and the commands that load the config)
// accept; only flags given on the command line override.
type flagValues struct {
	config, httpAddr, kafkaBrokers, embeddedAddr, dataDir, logLevel, taxonomy, model string
}

func (f *flagValues) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "YAML config file (env CORRIDOR_CONFIG)")
	fs.StringVar(&f.httpAddr, "http-addr", "", "HTTP listen address (env CORRIDOR_HTTP_ADDR, default :8080)")
	fs.StringVar(&f.kafkaBrokers, "kafka-brokers", "", "comma-separated Kafka bootstrap brokers; empty starts the embedded broker (env CORRIDOR_KAFKA_BROKERS)")
	fs.StringVar(&f.embeddedAddr, "embedded-kafka-addr", "", "embedded broker listen address (env CORRIDOR_EMBEDDED_KAFKA_ADDR, default 127.0.0.1:9092)")
	fs.StringVar(&f.dataDir, "data-dir", "", "data directory (env CORRIDOR_DATA_DIR, default ./var)")
	fs.StringVar(&f.logLevel, "log-level", "", "debug, info, warn or error (env CORRIDOR_LOG_LEVEL, default info)")
	fs.StringVar(&f.taxonomy, "taxonomy", "", "theme taxonomy YAML; empty uses the embedded default (env CORRIDOR_NLP_TAXONOMY)")
	fs.StringVar(&f.model, "model", "", "trained theme model from `corridor train` (env CORRIDOR_NLP_MODEL)")
}

// loadConfig applies defaults, file, env and the flags that were set, then
// validates. getenv is os.Getenv in production; environ lists KEY=VALUE.
func loadConfig(fs *flag.FlagSet, f *flagValues, getenv func(string) string, environ []string) (Config, error) {
	cfg := defaultConfig()
	path := f.config
	if path == "" {
		path = getenv("CORRIDOR_CONFIG")
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config file: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	if cfg.Sources == nil {
		cfg.Sources = map[string]connectors.SourceConfig{}
	}

	// Environment.
	setStr := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	setStr(&cfg.Gateway.HTTPAddr, "CORRIDOR_HTTP_ADDR")
	setStr(&cfg.EmbeddedKafka.Addr, "CORRIDOR_EMBEDDED_KAFKA_ADDR")
	setStr(&cfg.DataDir, "CORRIDOR_DATA_DIR")
	setStr(&cfg.LogLevel, "CORRIDOR_LOG_LEVEL")
	setStr(&cfg.LogFormat, "CORRIDOR_LOG_FORMAT")
	setStr(&cfg.NLP.Taxonomy, "CORRIDOR_NLP_TAXONOMY")
	setStr(&cfg.NLP.Model, "CORRIDOR_NLP_MODEL")
	setStr(&cfg.PprofAddr, "CORRIDOR_PPROF_ADDR")
	if v := getenv("CORRIDOR_KAFKA_BROKERS"); v != "" {
		cfg.Kafka.Brokers = splitList(v)
	}
	applySecretEnv(&cfg, environ)
	resolvePollerSecrets(&cfg, getenv)

	// Flags, only those given.
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "http-addr":
			cfg.Gateway.HTTPAddr = f.httpAddr
		case "kafka-brokers":
			cfg.Kafka.Brokers = splitList(f.kafkaBrokers)
		case "embedded-kafka-addr":
			cfg.EmbeddedKafka.Addr = f.embeddedAddr
		case "data-dir":
			cfg.DataDir = f.dataDir
		case "log-level":
			cfg.LogLevel = f.logLevel
		case "taxonomy":
			cfg.NLP.Taxonomy = f.taxonomy
		case "model":
			cfg.NLP.Model = f.model
		}
	})

	// Derived defaults.
	if cfg.EmbeddedKafka.DataDir == "" {
		cfg.EmbeddedKafka.DataDir = filepath.Join(cfg.DataDir, "kafka")
	}
	if cfg.Spool.Dir == "" {
		cfg.Spool.Dir = filepath.Join(cfg.DataDir, "spool")
	}
	for name, sc := range cfg.Sources {
		if sc.Type == "" {
			sc.Type = name
		}
		cfg.Sources[name] = sc
	}
	return cfg, cfg.Validate()
}

// apiClient is shared by every source's vendor API calls (enrichment).
var apiClient = &http.Client{Timeout: 30 * time.Second}

// applySecretEnv reads CORRIDOR_SECRET_<SOURCE> (webhook secrets) and
// CORRIDOR_API_TOKEN_<SOURCE> (vendor API tokens) variables. The name maps to
// a configured source (upper-cased, '-' as '_') or, when none matches, to a
// known vendor type, which configures that source.
func applySecretEnv(cfg *Config, environ []string) {
	const secretPrefix, tokenPrefix = "CORRIDOR_SECRET_", "CORRIDOR_API_TOKEN_"
	for _, kv := range environ {
		key, val, ok := strings.Cut(kv, "=")
		if !ok || val == "" {
			continue
		}
		var envName string
		isToken := false
		switch {
		case strings.HasPrefix(key, secretPrefix):
			envName = strings.TrimPrefix(key, secretPrefix)
		case strings.HasPrefix(key, tokenPrefix):
			envName, isToken = strings.TrimPrefix(key, tokenPrefix), true
		default:
			continue
		}
		name := ""
		for n := range cfg.Sources {
			if envKey(n) == envName {
				name = n
			}
		}
		if name == "" {
			for _, f := range all.Factories() {
				if envKey(f.Type) == envName {
					name = f.Type
				}
			}
		}
		if name == "" {
			name = strings.ToLower(envName) // reported by Validate as unknown
		}
		sc := cfg.Sources[name]
		if isToken {
			sc.API.Token = val
		} else {
			sc.Secrets = splitList(val)
		}
		cfg.Sources[name] = sc
	}
}

func envKey(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Validate reports every problem in c at once.
func (c Config) Validate() error {
	var errs []error
	add := func(prefix string, err error) {
		if err == nil {
			return
		}
		for _, e := range unjoin(err) {
			errs = append(errs, fmt.Errorf("%s%w", prefix, e))
		}
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir: empty"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level: %q is not debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log_format: %q is not text or json", c.LogFormat))
	}
	if c.GCPercent < 50 || c.GCPercent > 1000 {
		errs = append(errs, fmt.Errorf("gc_percent: %d, must be between 50 and 1000", c.GCPercent))
	}
	add("gateway.", c.Gateway.Validate())
	add("kafka.", c.Kafka.Validate())
	if len(c.Kafka.Brokers) == 0 {
		add("embedded_kafka.", c.EmbeddedKafka.Validate())
	}
	add("nlp.", c.NLP.Validate())
	if c.Spool.Enabled {
		add("spool.", c.Spool.Config.Validate())
	}
	if c.ShutdownGrace <= 0 {
		errs = append(errs, fmt.Errorf("shutdown_grace: %v, must be > 0", c.ShutdownGrace))
	}
	names := make([]string, 0, len(c.Sources))
	for n := range c.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		sc := c.Sources[name]
		prefix := "sources." + name + "."
		if !validSourceName(name) {
			errs = append(errs, fmt.Errorf("sources.%s: name must be lowercase letters, digits, '-' or '_'", name))
		}
		add(prefix, sc.Validate())
		if _, ok := all.Lookup(sc.Type); !ok && sc.Type != "" {
			errs = append(errs, fmt.Errorf("%stype: unknown vendor %q (known: %s)", prefix, sc.Type, strings.Join(knownTypes(), ", ")))
		}
	}
	if len(c.Connectors) > 0 {
		add("poll.", c.Poll.Validate())
	}
	errs = append(errs, validateConnectors(c.Connectors)...)
	return errors.Join(errs...)
}

func validSourceName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func knownTypes() []string {
	var ts []string
	for _, f := range all.Factories() {
		ts = append(ts, f.Type)
	}
	sort.Strings(ts)
	return ts
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// buildSources constructs every configured source's decoder. A vendor that
// verifies signatures must have a secret. m observes vendor API calls (nil
// records nothing).
func buildSources(cfg Config, m *gateway.Metrics) ([]gateway.Source, error) {
	var (
		out  []gateway.Source
		errs []error
	)
	names := make([]string, 0, len(cfg.Sources))
	for n := range cfg.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		sc := cfg.Sources[name]
		f, ok := all.Lookup(sc.Type)
		if !ok {
			continue // Config.Validate reports unknown vendors
		}
		set := connectors.Settings{Name: name, HTTPClient: apiClient}
		if m != nil {
			set.Calls = m.CallObserver(name)
		}
		dec, err := f.New(sc, set)
		if err != nil {
			errs = append(errs, fmt.Errorf("sources.%s: %w", name, err))
			continue
		}
		src := gateway.NewSource(name, f, sc, dec)
		if src.Verifier != nil {
			if len(sc.Secrets) == 0 {
				errs = append(errs, fmt.Errorf("sources.%s.secrets: %s signs its webhooks; set a secret (CORRIDOR_SECRET_%s or sources.%s.secrets)", name, sc.Type, envKey(name), name))
			}
		}
		out = append(out, src)
	}
	return out, errors.Join(errs...)
}

// configError lists every configuration problem, one per line.
func configError(err error) error {
	return fmt.Errorf("invalid configuration:\n  - %s", strings.ReplaceAll(err.Error(), "\n", "\n  - "))
}

// loadWithSources loads the configuration and builds its webhook sources,
// reporting every problem of both at once.
func loadWithSources(fs *flag.FlagSet, fv *flagValues, m *gateway.Metrics) (Config, []gateway.Source, error) {
	cfg, err := loadConfig(fs, fv, os.Getenv, os.Environ())
	sources, srcErr := buildSources(cfg, m)
	if err = errors.Join(err, srcErr); err != nil {
		return cfg, nil, configError(err)
	}
	return cfg, sources, nil
}
