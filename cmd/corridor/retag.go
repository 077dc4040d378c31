package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/nlp"
)

// retagBatch is how many feedback messages one acknowledged write carries.
const retagBatch = 500

// runRetag replays corridor.raw.v1 through the current decoders and NLP
// into corridor.feedback.v1: same record ids, version + --bump.
func runRetag(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("retag", stderr)
	var fv flagValues
	fv.register(fs)
	bump := fs.Int64("bump", 1, "added to each record's version; use a higher value for a second retag of the same history")
	only := fs.String("source", "", "retag only this source")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *bump < 1 {
		return fmt.Errorf("%w: --bump must be >= 1", errUsage)
	}
	cfg, sources, err := loadWithSources(fs, &fv, nil)
	if err != nil {
		return err
	}
	if len(cfg.Kafka.Brokers) == 0 {
		return fmt.Errorf("%w: retag reads and writes the broker serve uses: set --kafka-brokers (the embedded broker of `make run` is 127.0.0.1:9092)", errUsage)
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
	reg := prometheus.NewRegistry()
	srv, err := gateway.New(cfg.Gateway, gateway.Settings{Registerer: reg, Gatherer: reg, Sink: k, Topics: cfg.Kafka.Topics, Analyzer: analyzer, Sources: sources})
	if err != nil {
		return err
	}

	var (
		pending           []sink.Message
		requests, records int
		skipped           = map[string]int{}
		writeErr          error
	)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := k.Write(wctx, pending...); err != nil {
			return fmt.Errorf("retag: write: %w", err)
		}
		pending = pending[:0]
		return nil
	}
	err = sink.Scan(ctx, cfg.Kafka.Brokers, cfg.Kafka.Topics.Raw.Name, func(m sink.Message) error {
		raw, err := sink.ParseRaw(m)
		if err != nil {
			skipped["unreadable"]++
			return nil
		}
		if *only != "" && raw.Source != *only {
			return nil
		}
		src, ok := srv.Source(raw.Source)
		if !ok {
			skipped["source_not_configured"]++
			return nil
		}
		requests++
		recs, msgs, err := srv.Pipeline().Retag(ctx, src, raw, *bump)
		if err != nil {
			skipped[connectors.Reason(err)]++
			return nil
		}
		records += len(recs)
		pending = append(pending, msgs...)
		if len(pending) >= retagBatch {
			if writeErr = flush(); writeErr != nil {
				return writeErr
			}
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	fmt.Fprintf(stdout, "retag: %d raw requests, %d records rewritten with version +%d, skipped %v\n", requests, records, *bump, skipped)
	return err
}
