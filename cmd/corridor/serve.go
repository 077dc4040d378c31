package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/corridorhq/corridor/gateway"
	"github.com/corridorhq/corridor/gateway/broker"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/spool"
	"github.com/corridorhq/corridor/nlp"
)

// startupTimeout bounds waiting for the brokers to create topics at start.
const startupTimeout = 30 * time.Second

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var fv flagValues
	fv.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := gateway.NewMetrics(reg)
	cfg, sources, err := loadWithSources(fs, &fv, metrics)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	if gc, set := os.LookupEnv("GOGC"); set {
		log.Info("GOGC is set: it overrides gc_percent", "GOGC", gc)
	} else {
		debug.SetGCPercent(cfg.GCPercent)
	}

	var embedded *broker.Broker
	if len(cfg.Kafka.Brokers) == 0 {
		embedded, err = broker.Start(cfg.EmbeddedKafka)
		if err != nil {
			return err
		}
		defer embedded.Close()
		cfg.Kafka.Brokers = []string{embedded.Addr()}
		log.Info("embedded Kafka-protocol broker started", "addr", embedded.Addr(), "data_dir", cfg.EmbeddedKafka.DataDir)
	}

	analyzer, err := nlp.New(cfg.NLP)
	if err != nil {
		return err
	}
	// SIGHUP, or a change to the taxonomy or model file, reloads them; a bad
	// file keeps the running ones.
	reloadCtx, stopReload := context.WithCancel(ctx)
	defer stopReload()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-reloadCtx.Done():
				return
			case <-hup:
				if err := analyzer.Reload(); err != nil {
					log.Error("reload on SIGHUP failed; keeping the running taxonomy and model", "err", err)
				} else {
					log.Info("taxonomy and model reloaded", "taxonomy", cfg.NLP.Taxonomy, "model", cfg.NLP.Model)
				}
			}
		}
	}()
	if cfg.NLP.Taxonomy != "" || cfg.NLP.Model != "" {
		go analyzer.Watch(reloadCtx, 5*time.Second, func(err error) {
			log.Error("taxonomy or model file changed but does not load; keeping the running ones", "err", err)
		})
	}
	kafkaSink, err := sink.NewKafka(cfg.Kafka)
	if err != nil {
		return err
	}
	defer func() {
		if err := kafkaSink.Close(); err != nil {
			log.Error("closing Kafka writer", "err", err)
		}
	}()
	if err := ensureTopics(ctx, kafkaSink, log); err != nil {
		return err
	}

	var sp *spool.Spool
	if cfg.Spool.Enabled {
		if sp, err = spool.Open(cfg.Spool.Config); err != nil {
			return err
		}
		defer func() {
			if err := sp.Close(); err != nil {
				log.Error("closing spool", "err", err)
			}
		}()
		if st := sp.Stats(); st.Records > 0 || st.Corrupt > 0 {
			log.Info("spool holds requests from an earlier run; replaying", "records", st.Records, "bytes", st.Bytes, "corrupt_skipped", st.Corrupt)
		}
	}
	srv, err := gateway.New(cfg.Gateway, gateway.Settings{
		Spool:      sp,
		Metrics:    metrics,
		Logger:     log,
		Registerer: reg,
		Gatherer:   reg,
		Sink:       kafkaSink,
		Topics:     cfg.Kafka.Topics,
		Analyzer:   analyzer,
		Sources:    sources,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Gateway.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Gateway.HTTPAddr, err)
	}
	httpAddr := ln.Addr().String()
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.Name
	}
	log.Info("corridor ready",
		"http", httpAddr,
		"post", "http://"+hostPort(httpAddr)+"/v1/webhooks/{source}",
		"sources", strings.Join(names, ","),
		"brokers", strings.Join(cfg.Kafka.Brokers, ","),
		"read", fmt.Sprintf("kcat -b %s -C -t %s -o beginning -e -J", cfg.Kafka.Brokers[0], cfg.Kafka.Topics.Feedback.Name),
		"metrics", "http://"+hostPort(httpAddr)+"/metrics",
	)

	if cfg.PprofAddr != "" {
		// Opt-in profiling on its own listener, never on the webhook port.
		pln, err := net.Listen("tcp", cfg.PprofAddr)
		if err != nil {
			return fmt.Errorf("pprof listen %s: %w", cfg.PprofAddr, err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		psrv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = psrv.Serve(pln) }()
		defer psrv.Close()
		log.Info("pprof listening", "addr", pln.Addr().String())
	}
	// Review connectors (issue 6): polled by whichever instance the Kafka
	// consumer group assigns them to; stopped (leaving the group) on return.
	stopPolling, err := startPolling(cfg, kafkaSink, analyzer, reg, log)
	if err != nil {
		return err
	}
	defer stopPolling()
	replayCtx, stopReplay := context.WithCancel(context.Background())
	replayDone := make(chan struct{})
	go func() {
		defer close(replayDone)
		_ = srv.RunReplayer(replayCtx)
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stopReplay()
		<-replayDone
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}

	// Stop accepting, finish in-flight requests, then deliver what the spool
	// holds while the grace lasts; what is left stays on disk for next start.
	log.Info("shutting down", "grace", cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("http shutdown", "err", err)
	}
	stopReplay()
	<-replayDone
	if err := srv.Drain(sctx); err != nil {
		log.Warn("spool not drained before the grace ended; it is kept on disk", "err", err)
	}
	log.Info("stopped")
	return nil
}

// ensureTopics creates the topics, retrying while the brokers come up.
func ensureTopics(ctx context.Context, k *sink.Kafka, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	delay := 100 * time.Millisecond
	for {
		err := k.EnsureTopics(ctx)
		if err == nil {
			return nil
		}
		log.Warn("creating topics failed; retrying", "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("brokers did not accept topic creation within %s: %w", startupTimeout, err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// hostPort turns a listen address into one a client on this machine can use.
func hostPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
