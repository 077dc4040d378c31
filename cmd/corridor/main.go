// Command corridor is the Corridor feedback gateway.
//
//	corridor serve   [flags]   run the webhook gateway (embedded broker unless --kafka-brokers)
//	corridor broker  [flags]   run the development Kafka-protocol broker alone
//	corridor tag     [flags]   analyze JSON lines {"id","text"} from stdin
//	corridor train   [flags]   learn a theme model from labeled examples
//	corridor sign    [flags]   print the vendor signature headers for a body on stdin
//	corridor poll    --once [--connector ID]   poll review connectors once
//	corridor retag   [flags]   replay the raw topic through the current decoders and NLP
//	corridor version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/corridorhq/corridor/gateway"
)

// errUsage marks command-line mistakes (exit 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp):
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "corridor:", err)
		}
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "corridor:", err)
		os.Exit(1)
	}
}

const usage = `usage: corridor <command> [flags]

commands:
  serve     run the webhook gateway (starts an embedded Kafka-protocol broker unless --kafka-brokers is set)
  broker    run the development Kafka-protocol broker alone
  tag       read JSON lines {"id":..,"text":..} on stdin, write one analysis per line
  train     learn a theme model from labeled examples (--format jsonl|semeval2014|semeval2015 --in FILE --out MODEL)
  sign      print the signature headers a vendor would send for the body on stdin
  poll      poll review connectors once (--once [--connector ID]); serve polls continuously
  retag     replay corridor.raw.v1 through the current decoders and NLP into corridor.feedback.v1
  version   print the version

Run 'corridor <command> -h' for a command's flags.`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stderr)
	case "broker":
		return runBroker(ctx, rest, stderr)
	case "tag":
		return runTag(rest, stdin, stdout, stderr)
	case "train":
		return runTrain(rest, stdout, stderr)
	case "sign":
		return runSign(rest, stdin, stdout, stderr)
	case "poll":
		return runPoll(ctx, rest, stdout, stderr)
	case "retag":
		return runRetag(ctx, rest, stdout, stderr)
	case "version":
		v, r := gateway.BuildInfo()
		fmt.Fprintf(stdout, "corridor %s (%s)\n", v, r)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("corridor "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	return nil
}
