package main

import (
	"context"
	"fmt"
	"io"

	"github.com/corridorhq/corridor/gateway/broker"
)

func runBroker(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("broker", stderr)
	cfg := broker.NewDefaultConfig()
	cfg.Addr = "127.0.0.1:19092"
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory where topics and records persist")
	fs.IntVar(&cfg.Partitions, "partitions", cfg.Partitions, "default partitions of auto-created topics")
	fs.BoolVar(&cfg.SyncWrites, "sync-writes", cfg.SyncWrites, "fsync every produce before acknowledging it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	b, err := broker.Start(cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	log := newLogger(stderr, "info", "text")
	log.Info("broker ready", "addr", b.Addr(), "data_dir", cfg.DataDir, "try", fmt.Sprintf("kcat -b %s -L", b.Addr()))
	<-ctx.Done()
	log.Info("broker stopping")
	return nil
}
