package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors/all"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

func vendorSecret(typ string) string { return "e2e-" + typ + "-secret" }

// fakeVendorAPIs serves connectors/<vendor>/testdata/api/<path>.json under
// /<vendor>/<api prefix>/<path>, for the sources that enrich.
func fakeVendorAPIs(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vendor, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "API/"), "v3/")
		b, err := os.ReadFile(filepath.Join("..", "..", "connectors", vendor, "testdata", "api", filepath.FromSlash(rest)+".json"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The every-vendor end-to-end test: one signed fixture per vendor posted to
// the running binary, every record read back from Kafka.
func TestEndToEndEveryVendor(t *testing.T) {
	bin := binary(t)
	api := fakeVendorAPIs(t)
	var cfg strings.Builder
	cfg.WriteString("log_level: warn\nsources:\n")
	for _, f := range all.Factories() {
		fmt.Fprintf(&cfg, "  %s:\n    secrets: [%q]\n    api: {token: e2e-token, base_url: %q}\n", f.Type, vendorSecret(f.Type), api.URL+"/"+f.Type)
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "corridor.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg.String()), 0o600))

	httpAddr, kafkaAddr := freePort(t), freePort(t)
	p := startServeArgs(t, bin, nil, "serve", "--config", cfgPath, "--http-addr", httpAddr, "--embedded-kafka-addr", kafkaAddr, "--data-dir", filepath.Join(dir, "var"))
	_ = p

	want := map[string]string{} // record id → source
	for _, f := range all.Factories() {
		t.Run(f.Type, func(t *testing.T) {
			uri := "/v1/webhooks/" + f.Type
			body, ct := connectortest.Sample(t, f.Type, filepath.Join("..", "..", "connectors", f.Type, "testdata"))
			body, hdr := connectortest.SignAs(t, f, vendorSecret(f.Type), uri, body, ct, time.Now())
			status, resp := postFile(t, "http://"+httpAddr+uri, hdr, body)
			require.Equal(t, http.StatusOK, status, "%s: %v", f.Type, resp)
			ids, _ := resp["ids"].([]any)
			require.NotEmpty(t, ids, "%s: %v", f.Type, resp)
			for _, id := range ids {
				want[id.(string)] = f.Type
			}
		})
	}
	msgs := sinktest.WaitFor(t, kafkaAddr, "corridor.feedback.v1", len(want), 15*time.Second)
	got := map[string]string{}
	for _, m := range msgs {
		var rec feedback.Record
		require.NoError(t, json.Unmarshal(m.Value, &rec))
		require.NoError(t, rec.Validate(), "%s", m.Value)
		got[rec.ID] = rec.Source
		assert.Equal(t, rec.ID, sinktest.Header(m, "ce_id"))
	}
	for id, src := range want {
		assert.Equal(t, src, got[id], "record %s of %s read back from Kafka", id, src)
	}
	assert.Len(t, got, len(want), "one record per acknowledged id, nothing else")
}
