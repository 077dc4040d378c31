package nlp

import (
	"errors"
	"fmt"
	"strings"
)

// Limits on MaxTextBytes.
const (
	DefaultMaxTextBytes = 16384
	maxMaxTextBytes     = 1 << 20
)

// Model modes (Config.ModelMode).
const (
	ModelCombine = "combine"
	ModelReplace = "replace"
)

// Config configures an Analyzer.
type Config struct {
	// Taxonomy is the path to a theme taxonomy YAML file. Empty (the default)
	// uses the embedded default taxonomy. A file that says `extends: default`
	// adds its themes to the default ones, replacing default themes that have
	// the same id; otherwise it replaces the default taxonomy.
	Taxonomy string `yaml:"taxonomy"`
	// MaxTextBytes caps the analyzed text: longer texts are truncated at a
	// rune boundary (never inside a piece of personal data) before analysis.
	// Default 16384; at most 1 MiB.
	MaxTextBytes int `yaml:"max_text_bytes"`
	// Model is the path to a theme model trained with `corridor train`.
	// Empty (the default) uses the taxonomy rules alone.
	Model string `yaml:"model"`
	// ModelMode says how model themes and rule themes mix: "combine" (the
	// default; the union of both, a model label equal to a theme id merges
	// with that theme) or "replace" (model themes only; the taxonomy still
	// feeds the model's theme features).
	ModelMode string `yaml:"model_mode"`
}

// NewDefaultConfig returns the default configuration: the embedded taxonomy,
// no model and a 16 KiB text cap.
func NewDefaultConfig() Config {
	return Config{MaxTextBytes: DefaultMaxTextBytes, ModelMode: ModelCombine}
}

// Validate returns errors.Join of every problem with c, each naming the
// field. It does not read the taxonomy or model file; New does. An empty
// ModelMode means combine.
func (c Config) Validate() error {
	var errs []error
	if c.MaxTextBytes < 1 || c.MaxTextBytes > maxMaxTextBytes {
		errs = append(errs, fmt.Errorf("max_text_bytes: %d, want 1..%d", c.MaxTextBytes, maxMaxTextBytes))
	}
	if c.Taxonomy != "" && strings.TrimSpace(c.Taxonomy) == "" {
		errs = append(errs, errors.New("taxonomy: blank path"))
	}
	if c.Model != "" && strings.TrimSpace(c.Model) == "" {
		errs = append(errs, errors.New("model: blank path"))
	}
	switch c.ModelMode {
	case "", ModelCombine:
	case ModelReplace:
		if c.Model == "" {
			errs = append(errs, errors.New("model_mode: replace needs a model"))
		}
	default:
		errs = append(errs, fmt.Errorf("model_mode: %q, want %q or %q", c.ModelMode, ModelCombine, ModelReplace))
	}
	return errors.Join(errs...)
}
