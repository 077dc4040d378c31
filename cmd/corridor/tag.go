package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/nlp"
)

// tagInput is one line of `corridor tag` input.
type tagInput struct {
	ID   json.RawMessage `json:"id"`
	Text *string         `json:"text"`
}

// tagOutput is one line of `corridor tag` output: the id as given plus the
// analysis, or an error naming what was wrong with the line.
type tagOutput struct {
	ID json.RawMessage `json:"id,omitempty"`
	*feedback.Analysis
	Line  int    `json:"line,omitempty"`
	Error string `json:"error,omitempty"`
}

func runTag(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("tag", stderr)
	cfg := nlp.NewDefaultConfig()
	fs.StringVar(&cfg.Taxonomy, "taxonomy", "", "theme taxonomy YAML; empty uses the embedded default")
	fs.IntVar(&cfg.MaxTextBytes, "max-text-bytes", cfg.MaxTextBytes, "longer texts are truncated before analysis")
	fs.StringVar(&cfg.Model, "model", "", "theme model from `corridor train`; empty uses the taxonomy rules alone")
	fs.StringVar(&cfg.ModelMode, "model-mode", cfg.ModelMode, "with --model: combine (rule themes and model themes) or replace (model themes only)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	a, err := nlp.New(cfg)
	if err != nil {
		return err
	}
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64*1024), 16<<20)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	line, bad := 0, 0
	for in.Scan() {
		line++
		b := in.Bytes()
		if len(b) == 0 {
			continue
		}
		var ti tagInput
		var o tagOutput
		switch err := json.Unmarshal(b, &ti); {
		case err != nil:
			o = tagOutput{Line: line, Error: fmt.Sprintf("line %d: invalid JSON: %v", line, err)}
		case ti.Text == nil:
			o = tagOutput{ID: ti.ID, Line: line, Error: fmt.Sprintf("line %d: no \"text\" field", line)}
		default:
			an := a.Analyze(*ti.Text)
			o = tagOutput{ID: ti.ID, Analysis: &an}
		}
		if o.Error != "" {
			bad++
		}
		if err := enc.Encode(o); err != nil {
			return fmt.Errorf("tag: write: %w", err)
		}
	}
	if err := in.Err(); err != nil {
		return fmt.Errorf("tag: read line %d: %w", line+1, err)
	}
	if bad > 0 {
		return fmt.Errorf("tag: %d of %d lines could not be analyzed", bad, line)
	}
	return nil
}
