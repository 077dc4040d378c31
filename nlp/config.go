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
}

// NewDefaultConfig returns the default configuration: the embedded taxonomy
// and a 16 KiB text cap.
func NewDefaultConfig() Config {
	return Config{MaxTextBytes: DefaultMaxTextBytes}
}

// Validate returns errors.Join of every problem with c, each naming the
// field. It does not read the taxonomy file; New does.
func (c Config) Validate() error {
	var errs []error
	if c.MaxTextBytes < 1 || c.MaxTextBytes > maxMaxTextBytes {
		errs = append(errs, fmt.Errorf("max_text_bytes: %d, want 1..%d", c.MaxTextBytes, maxMaxTextBytes))
	}
	if c.Taxonomy != "" && strings.TrimSpace(c.Taxonomy) == "" {
		errs = append(errs, errors.New("taxonomy: blank path"))
	}
	return errors.Join(errs...)
}
