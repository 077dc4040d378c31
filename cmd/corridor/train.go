package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/corridorhq/corridor/nlp"
	"github.com/corridorhq/corridor/nlp/model"
)

// runTrain is `corridor train`: it learns a theme model (and, when the
// examples carry polarities, a sentiment model) from a labeled file and
// writes the model file that `corridor tag --model` and the nlp.model config
// use.
func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", stderr)
	format := fs.String("format", model.FormatJSONL, "input format: jsonl ({\"text\":..,\"themes\":[..]} a line, optional \"polarity\"), semeval2014 or semeval2015 (XML)")
	in := fs.String("in", "", "labeled examples (required)")
	out := fs.String("out", "", "model file to write (required)")
	seed := fs.Int64("seed", 1, "seed of the cross-validation folds and the solver's order; same input and seed give the same bytes")
	lexicon := fs.String("lexicon", "", "taxonomy YAML whose terms feed the model's theme features and are stored in it; empty uses the embedded default taxonomy")
	folds := fs.Int("folds", 5, "cross-validation folds for choosing the regularization and tuning thresholds")
	sent := fs.String("sentiment", "auto", "also train a sentiment model from the examples' polarities: auto (when there are enough), on, off")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var errs []error
	if *in == "" {
		errs = append(errs, errors.New("--in is required"))
	}
	if *out == "" {
		errs = append(errs, errors.New("--out is required"))
	}
	switch *format {
	case model.FormatJSONL, model.FormatSemEval2014, model.FormatSemEval2015:
	default:
		errs = append(errs, fmt.Errorf("--format %q, want jsonl, semeval2014 or semeval2015", *format))
	}
	switch *sent {
	case "auto", "on", "off":
	default:
		errs = append(errs, fmt.Errorf("--sentiment %q, want auto, on or off", *sent))
	}
	if *folds < 2 {
		errs = append(errs, fmt.Errorf("--folds %d, want at least 2", *folds))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	cfg := nlp.NewDefaultConfig()
	cfg.Taxonomy = *lexicon
	a, err := nlp.New(cfg)
	if err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	examples, err := model.ReadExamples(*format, bufio.NewReader(f))
	f.Close()
	if err != nil {
		return fmt.Errorf("train: %s: %w", *in, err)
	}
	start := time.Now()
	opts := model.TrainOptions{Seed: *seed, Folds: *folds}
	m, err := a.Train(examples, opts)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(stdout, "themes: %d examples, %d labels, %d features, C=%g, %d-fold cv micro P %.4f R %.4f F1 %.4f\n",
		m.Training.Docs, len(m.Labels), len(m.Features), m.Training.C, m.Training.Folds,
		m.Training.CVPrecision, m.Training.CVRecall, m.Training.CVF1)
	for _, l := range m.Labels {
		fmt.Fprintf(stdout, "  %-40s %5d examples  cv F1 %.4f  threshold %+.3f\n", l.ID, l.Examples, l.CVF1, l.Threshold)
	}
	if *sent != "off" {
		s, err := a.TrainSentiment(examples, opts)
		switch {
		case err == nil:
			m.Sentiment = s
			fmt.Fprintf(stdout, "sentiment: %d examples, %d features, C=%g, cv micro P %.4f R %.4f F1 %.4f (negative, positive)\n",
				s.Training.Docs, len(s.Features), s.Training.C, s.Training.CVPrecision, s.Training.CVRecall, s.Training.CVF1)
		case *sent == "on":
			return fmt.Errorf("train: %w", err)
		default:
			fmt.Fprintf(stdout, "sentiment: not trained (%v)\n", strings.TrimPrefix(err.Error(), "nlp: train sentiment: "))
		}
	}
	if err := m.WriteFile(*out); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s (format_version %d) in %.1f s\n", *out, m.FormatVersion, time.Since(start).Seconds())
	return nil
}
