package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

// A new taxonomy applies to history: retag replays the raw topic and
// rewrites the same record ids with a higher version and the new themes.
func TestEndToEndRetagAppliesNewTaxonomyToHistory(t *testing.T) {
	bin := binary(t)
	b := sinktest.StartBroker(t)
	dir := t.TempDir()
	httpAddr := freePort(t)
	env := []string{"CORRIDOR_SECRET_TYPEFORM=" + e2eTypeformSecret}
	p := startServeArgs(t, bin, env, "serve", "--kafka-brokers", b.Addr(), "--http-addr", httpAddr, "--data-dir", dir)

	file := firstFixture(t, "typeform")
	body, err := os.ReadFile(file)
	require.NoError(t, err)
	status, resp := postFile(t, "http://"+httpAddr+"/v1/webhooks/typeform", signHeaders(t, bin, "typeform", e2eTypeformSecret, file), body)
	require.Equal(t, http.StatusOK, status, "%v", resp)
	id := resp["ids"].([]any)[0].(string)
	p.stop(t)

	before := sinktest.WaitFor(t, b.Addr(), "corridor.feedback.v1", 1, 10*time.Second)
	var orig feedback.Record
	require.NoError(t, json.Unmarshal(before[0].Value, &orig))
	for _, th := range orig.Themes {
		require.NotEqual(t, "kickoff", th.ID, "the default taxonomy has no kickoff theme")
	}

	tax := filepath.Join(dir, "taxonomy.yaml")
	require.NoError(t, os.WriteFile(tax, []byte("version: 1\nextends: default\nthemes:\n  - id: kickoff\n    label: Kickoff call\n    group: onboarding\n    terms: [kickoff call, kickoff]\n"), 0o600))
	cmd := exec.Command(bin, "retag", "--kafka-brokers", b.Addr(), "--taxonomy", tax)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Run(), "%s", out.String())
	assert.Contains(t, out.String(), "1 raw requests, 1 records rewritten")

	after := sinktest.WaitFor(t, b.Addr(), "corridor.feedback.v1", 2, 10*time.Second)
	var re feedback.Record
	require.NoError(t, json.Unmarshal(after[len(after)-1].Value, &re))
	require.NoError(t, re.Validate())
	assert.Equal(t, id, re.ID, "same record id")
	assert.Equal(t, orig.Version+1, re.Version, "a new version")
	assert.Equal(t, orig.Text, re.Text)
	var ids []string
	for _, th := range re.Themes {
		ids = append(ids, th.ID)
	}
	assert.Contains(t, ids, "kickoff", "the new taxonomy applied")
}
