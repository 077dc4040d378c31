package nlp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestNewDefaultConfig(t *testing.T) {
	cfg := NewDefaultConfig()
	require.NoError(t, cfg.Validate())
	assert.Equal(t, 16384, cfg.MaxTextBytes)
	assert.Empty(t, cfg.Taxonomy)
	assert.Empty(t, cfg.Model)
	assert.Equal(t, ModelCombine, cfg.ModelMode)
}

// TestConfigFiles decodes testdata/config/{valid,invalid}_*.yaml over the
// defaults, as cmd does, and validates.
func TestConfigFiles(t *testing.T) {
	wantErr := map[string][]string{
		"invalid_max_text_bytes.yaml":        {"max_text_bytes: 0, want 1..1048576"},
		"invalid_too_large.yaml":             {"max_text_bytes: 10485760", "taxonomy: blank path"},
		"invalid_unknown_field.yaml":         {"field max_text_byte not found"},
		"invalid_model_mode.yaml":            {`model_mode: "both", want "combine" or "replace"`},
		"invalid_replace_without_model.yaml": {"model_mode: replace needs a model"},
	}
	files, err := filepath.Glob("testdata/config/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			cfg := NewDefaultConfig()
			dec := yaml.NewDecoder(bytes.NewReader(b))
			dec.KnownFields(true)
			err = dec.Decode(&cfg)
			if err == nil {
				err = cfg.Validate()
			}
			if strings.HasPrefix(name, "valid_") {
				require.NoError(t, err)
				a, err := New(cfg)
				require.NoError(t, err)
				assert.NotEmpty(t, a.Themes())
				return
			}
			require.Error(t, err)
			require.Contains(t, wantErr, name, "add the expected error to the table")
			for _, w := range wantErr[name] {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestNewInvalidConfig(t *testing.T) {
	_, err := New(Config{})
	require.Error(t, err)
	assert.Equal(t, "nlp: config: max_text_bytes: 0, want 1..1048576", err.Error())
}
