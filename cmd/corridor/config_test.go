package main

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var fv flagValues
	fv.register(fs)
	require.NoError(t, fs.Parse(args))
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return loadConfig(fs, &fv, func(k string) string { return env[k] }, environ)
}

func TestConfigFiles(t *testing.T) {
	tests := map[string][]string{
		"valid_minimal.yaml":         nil,
		"valid_full.yaml":            nil,
		"invalid_unknown_field.yaml": {"http_adress", "not found"},
		"invalid_everything.yaml": {
			"log_level", "gc_percent: 5", "gateway.http_addr", "gateway.body_limit", "kafka.compression",
			"kafka.topics.feedback.partitions", "kafka.topics.raw.name", "sources.Bad Name: name",
			"sources.survey.type: unknown vendor \"nosuchvendor\"", "sources.zendesk.tolerance", "sources.zendesk.defaults.role",
		},
	}
	for file, wantErrs := range tests {
		t.Run(file, func(t *testing.T) {
			_, err := load(t, []string{"--config", filepath.Join("testdata", "config", file)}, nil)
			if wantErrs == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range wantErrs {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestConfigPrecedenceDefaultsFileEnvFlags(t *testing.T) {
	file := filepath.Join("testdata", "config", "valid_full.yaml")

	cfg, err := load(t, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, ":8080", cfg.Gateway.HTTPAddr)
	assert.Empty(t, cfg.Kafka.Brokers, "no brokers: the embedded one starts")
	assert.Equal(t, "127.0.0.1:9092", cfg.EmbeddedKafka.Addr)
	assert.Equal(t, "./var", cfg.DataDir)
	assert.Equal(t, filepath.Join("var", "kafka"), cfg.EmbeddedKafka.DataDir)
	assert.Equal(t, "corridor.feedback.v1", cfg.Kafka.Topics.Feedback.Name)
	assert.Equal(t, 5*time.Second, cfg.Gateway.WriteTimeout)

	cfg, err = load(t, []string{"--config", file}, nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8081", cfg.Gateway.HTTPAddr)
	assert.Equal(t, []string{"kafka-1:9092", "kafka-2:9092"}, cfg.Kafka.Brokers)
	assert.Equal(t, "typeform", cfg.Sources["typeform-eu"].Type, "type defaults to the name, or is set")
	assert.Equal(t, []string{"s1", "s2"}, cfg.Sources["typeform"].Secrets)

	env := map[string]string{
		"CORRIDOR_HTTP_ADDR":           ":9000",
		"CORRIDOR_KAFKA_BROKERS":       "a:1, b:2",
		"CORRIDOR_EMBEDDED_KAFKA_ADDR": "127.0.0.1:19092",
		"CORRIDOR_DATA_DIR":            "/tmp/x",
		"CORRIDOR_SECRET_TYPEFORM_EU":  "rotated-1,rotated-2",
		"CORRIDOR_SECRET_DELIGHTED":    "d1",
	}
	cfg, err = load(t, []string{"--config", file}, env)
	require.NoError(t, err)
	assert.Equal(t, ":9000", cfg.Gateway.HTTPAddr)
	assert.Equal(t, []string{"a:1", "b:2"}, cfg.Kafka.Brokers)
	assert.Equal(t, "127.0.0.1:19092", cfg.EmbeddedKafka.Addr)
	assert.Equal(t, "/tmp/x", cfg.DataDir)
	assert.Equal(t, []string{"rotated-1", "rotated-2"}, cfg.Sources["typeform-eu"].Secrets)
	assert.Equal(t, "delighted", cfg.Sources["delighted"].Type, "a secret for a known vendor configures it")

	cfg, err = load(t, []string{"--config", file, "--http-addr", ":9100", "--kafka-brokers", "", "--data-dir", "/tmp/y"}, env)
	require.NoError(t, err)
	assert.Equal(t, ":9100", cfg.Gateway.HTTPAddr, "flags beat env")
	assert.Empty(t, cfg.Kafka.Brokers, "an explicit empty --kafka-brokers selects the embedded broker")
	assert.Equal(t, "/tmp/y", cfg.DataDir)
	assert.Equal(t, filepath.Join("/tmp/y", "kafka"), cfg.EmbeddedKafka.DataDir)
}

func TestBuildSourcesNeedsSecretsForSigningVendors(t *testing.T) {
	cfg, err := load(t, nil, map[string]string{"CORRIDOR_SECRET_ZENDESK": "z"})
	require.NoError(t, err)
	cfg.Sources["typeform"] = cfg.Sources["zendesk"]
	tf := cfg.Sources["typeform"]
	tf.Type, tf.Secrets = "typeform", nil
	cfg.Sources["typeform"] = tf
	srcs, err := buildSources(cfg, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sources.typeform.secrets")
	assert.Contains(t, err.Error(), "CORRIDOR_SECRET_TYPEFORM")
	assert.Len(t, srcs, 2)
}

func TestRunUsage(t *testing.T) {
	var out, errb strings.Builder
	err := run(t.Context(), nil, strings.NewReader(""), &out, &errb)
	assert.ErrorIs(t, err, errUsage)
	err = run(t.Context(), []string{"frobnicate"}, strings.NewReader(""), &out, &errb)
	assert.ErrorIs(t, err, errUsage)
	assert.Contains(t, errb.String(), "commands:")
	require.NoError(t, run(t.Context(), []string{"version"}, strings.NewReader(""), &out, &errb))
	assert.Contains(t, out.String(), "corridor ")
}
