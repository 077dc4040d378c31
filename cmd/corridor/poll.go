package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/allpollers"
	"github.com/corridorhq/corridor/gateway/broker"
	"github.com/corridorhq/corridor/gateway/poll"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/nlp"
)

// resolvePollerSecrets reads each connector's credentials (role → name of an
// environment variable) into its Secrets. Missing variables are reported by
// validateConnectors.
func resolvePollerSecrets(cfg *Config, getenv func(string) string) {
	for i := range cfg.Connectors {
		c := &cfg.Connectors[i]
		c.Secrets = make(map[string]string, len(c.Credentials))
		for role, env := range c.Credentials {
			if v := getenv(env); v != "" {
				c.Secrets[role] = v
			}
		}
	}
}

// validateConnectors reports every problem with the `connectors:` list:
// each entry's own, duplicate ids, unknown types and unset credentials.
func validateConnectors(list []connectors.PollerConfig) []error {
	var errs []error
	seen := map[string]int{}
	for i, c := range list {
		prefix := fmt.Sprintf("connectors[%d]", i)
		if c.ID != "" {
			prefix = fmt.Sprintf("connectors[%d] (%s)", i, c.ID)
		}
		for _, e := range unjoin(c.Validate()) {
			if e != nil {
				errs = append(errs, fmt.Errorf("%s.%w", prefix, e))
			}
		}
		if j, dup := seen[c.ID]; dup && c.ID != "" {
			errs = append(errs, fmt.Errorf("%s.id: %q is also connectors[%d]", prefix, c.ID, j))
		}
		seen[c.ID] = i
		if _, ok := allpollers.Lookup(c.Type); !ok && c.Type != "" {
			errs = append(errs, fmt.Errorf("%s.type: unknown review site %q (known: %s)", prefix, c.Type, strings.Join(knownReviewSites(), ", ")))
		}
		for role, env := range c.Credentials {
			if c.Secrets[role] == "" {
				errs = append(errs, fmt.Errorf("%s.credentials.%s: environment variable %s is not set", prefix, role, env))
			}
		}
	}
	return errs
}

func knownReviewSites() []string {
	var ts []string
	for _, f := range allpollers.Factories() {
		ts = append(ts, f.Type)
	}
	return ts
}

// newPollManager builds the poll manager of cfg on an open sink.
func newPollManager(cfg Config, k *sink.Kafka, analyzer *nlp.Analyzer, reg prometheus.Registerer, log *slog.Logger) (*poll.Manager, error) {
	return poll.New(cfg.Poll, cfg.Connectors, poll.Settings{
		Logger:            log,
		Registerer:        reg,
		Sink:              k,
		Topics:            cfg.Kafka.Topics,
		Brokers:           cfg.Kafka.Brokers,
		ReplicationFactor: cfg.Kafka.ReplicationFactor,
		Analyzer:          analyzer,
		Lookup:            allpollers.Lookup,
	})
}

// startPolling runs the poll manager in the background until the returned
// stop is called (serve). It returns at once when no connector is
// configured.
func startPolling(cfg Config, k *sink.Kafka, analyzer *nlp.Analyzer, reg prometheus.Registerer, log *slog.Logger) (stop func(), err error) {
	if len(cfg.Connectors) == 0 {
		return func() {}, nil
	}
	m, err := newPollManager(cfg, k, analyzer, reg, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.Run(ctx); err != nil {
			log.Error("review connectors are not polled", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
		m.Close()
	}, nil
}

// runPoll is `corridor poll --once [--connector ID]`: poll review
// connectors once, whoever owns them, and save their cursors.
func runPoll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("poll", stderr)
	var fv flagValues
	fv.register(fs)
	once := fs.Bool("once", false, "poll once and exit (required: continuous polling runs inside `corridor serve`)")
	only := fs.String("connector", "", "poll only the connector with this id")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*once {
		return fmt.Errorf("%w: poll needs --once (serve polls continuously)", errUsage)
	}
	cfg, err := loadConfig(fs, &fv, os.Getenv, os.Environ())
	if err != nil {
		return configError(err)
	}
	if len(cfg.Connectors) == 0 {
		return fmt.Errorf("%w: no connectors configured (the `connectors:` list of the config)", errUsage)
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	if len(cfg.Kafka.Brokers) == 0 {
		b, err := broker.Start(cfg.EmbeddedKafka)
		if err != nil {
			return err
		}
		defer b.Close()
		cfg.Kafka.Brokers = []string{b.Addr()}
		log.Info("embedded Kafka-protocol broker started", "addr", b.Addr(), "data_dir", cfg.EmbeddedKafka.DataDir)
	}
	analyzer, err := nlp.New(cfg.NLP)
	if err != nil {
		return err
	}
	k, err := sink.NewKafka(cfg.Kafka)
	if err != nil {
		return err
	}
	defer k.Close()
	if err := ensureTopics(ctx, k, log); err != nil {
		return err
	}
	m, err := newPollManager(cfg, k, analyzer, prometheus.NewRegistry(), log)
	if err != nil {
		return err
	}
	defer m.Close()
	var ids []string
	if *only != "" {
		ids = []string{*only}
	}
	results, err := m.PollOnce(ctx, ids...)
	if err != nil {
		return err
	}
	var failed []string
	for _, r := range results {
		line := fmt.Sprintf("connector=%s outcome=%s pages=%d reviews=%d duplicates=%d malformed_pages=%d", r.Connector, orInterrupted(r.Outcome), r.Pages, r.Reviews, r.Duplicates, r.Malformed)
		if r.Restarted {
			line += " restarted=true"
		}
		if r.RetryAfter > 0 {
			line += " retry_after=" + r.RetryAfter.String()
		}
		if r.Err != nil {
			line += fmt.Sprintf(" err=%q", r.Err.Error())
		}
		fmt.Fprintln(stdout, line)
		if r.Outcome != poll.OutcomeOK && r.Outcome != poll.OutcomeBudget {
			failed = append(failed, r.Connector)
		}
	}
	if len(failed) > 0 {
		return errors.New("poll failed for " + strings.Join(failed, ", "))
	}
	return nil
}

func orInterrupted(outcome string) string {
	if outcome == "" {
		return "interrupted"
	}
	return outcome
}
