package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

// The taxonomy is reloaded on SIGHUP without a restart.
func TestEndToEndTaxonomyReloadOnSIGHUP(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	tax := filepath.Join(dir, "taxonomy.yaml")
	write := func(terms string) {
		require.NoError(t, os.WriteFile(tax, []byte("version: 1\nextends: default\nthemes:\n  - id: kickoff\n    label: Kickoff call\n    group: onboarding\n    terms: ["+terms+"]\n"), 0o600))
	}
	write("zzzunusedterm")
	httpAddr, kafkaAddr := freePort(t), freePort(t)
	p := startServeArgs(t, bin, []string{"CORRIDOR_SECRET_GENERIC=reload-secret"}, "serve", "--http-addr", httpAddr, "--embedded-kafka-addr", kafkaAddr, "--data-dir", dir, "--taxonomy", tax)

	post := func(id string) {
		body := []byte(`{"id":"` + id + `","text":"The kickoff call was great"}`)
		status, resp := postFile(t, "http://"+httpAddr+"/v1/webhooks/generic", signHeaders(t, bin, "generic", "reload-secret", writeTemp(t, dir, id, body)), body)
		require.Equal(t, http.StatusOK, status, "%v", resp)
	}
	themes := func(n int) []string {
		msgs := sinktest.WaitFor(t, kafkaAddr, "corridor.feedback.v1", n, 10*time.Second)
		var r feedback.Record
		require.NoError(t, json.Unmarshal(msgs[n-1].Value, &r))
		var ids []string
		for _, th := range r.Themes {
			ids = append(ids, th.ID)
		}
		return ids
	}
	post("before")
	assert.NotContains(t, themes(1), "kickoff")

	write("kickoff call, kickoff")
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGHUP))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.logs.String(), "reloaded") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	require.Contains(t, p.logs.String(), "reloaded", "the reload is logged")
	post("after")
	assert.Contains(t, themes(2), "kickoff", "the new taxonomy applies without a restart")
}

func writeTemp(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name+".json")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}
