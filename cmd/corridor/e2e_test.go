package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

// binary returns the corridor binary under test: $CORRIDOR_BIN (set by
// `make test` to bin/corridor) or one built into a temp dir.
func binary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CORRIDOR_BIN"); p != "" {
		return p
	}
	if testing.Short() {
		t.Skip("end-to-end test builds the binary; skipped with -short")
	}
	out := filepath.Join(t.TempDir(), "corridor")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run(), "go build")
	return out
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

type gatewayProc struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan error
}

// syncBuffer is a bytes.Buffer safe to read while the process writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const (
	e2eTypeformSecret = "e2e-typeform-secret"
	e2eZendeskSecret  = "e2e-zendesk-secret"
)

func startServe(t *testing.T, bin, httpAddr, kafkaAddr, dataDir string) *gatewayProc {
	t.Helper()
	env := []string{"CORRIDOR_SECRET_TYPEFORM=" + e2eTypeformSecret, "CORRIDOR_SECRET_ZENDESK=" + e2eZendeskSecret}
	return startServeArgs(t, bin, env, "serve", "--http-addr", httpAddr, "--embedded-kafka-addr", kafkaAddr, "--data-dir", dataDir)
}

// startServeArgs starts the binary with args and extra env, and waits until
// /readyz on the --http-addr answers 200.
func startServeArgs(t *testing.T, bin string, env []string, args ...string) *gatewayProc {
	t.Helper()
	httpAddr := ""
	for i, a := range args {
		if a == "--http-addr" && i+1 < len(args) {
			httpAddr = args[i+1]
		}
	}
	require.NotEmpty(t, httpAddr, "--http-addr is required")
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &gatewayProc{cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout = p.logs
	cmd.Stderr = p.logs
	require.NoError(t, cmd.Start())
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("corridor serve logs:\n%s", p.logs.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("corridor serve exited early: %v\n%s", err, p.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("corridor serve not ready within 60s:\n%s", p.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *gatewayProc) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.done:
		require.NoError(t, err, "SIGTERM exits 0")
	case <-time.After(30 * time.Second):
		t.Fatal("corridor serve did not stop within 30s of SIGTERM")
	}
}

// firstFixture returns the first vendor fixture (not a golden or vector file).
func firstFixture(t *testing.T, vendor string) string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "connectors", vendor, "testdata", "*.json"))
	require.NoError(t, err)
	sort.Strings(paths)
	for _, p := range paths {
		if !strings.HasSuffix(p, ".golden.json") && filepath.Base(p) != "signatures.json" {
			return p
		}
	}
	t.Fatalf("no fixture for %s", vendor)
	return ""
}

// signHeaders runs `corridor sign` and returns its headers.
func signHeaders(t *testing.T, bin, source, secret, file string) http.Header {
	t.Helper()
	out, err := exec.Command(bin, "sign", "--source", source, "--secret", secret, "--file", file).Output()
	require.NoError(t, err, "corridor sign")
	h := http.Header{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		require.True(t, ok, "header line %q", sc.Text())
		h.Add(k, v)
	}
	require.NotEmpty(t, h)
	h.Set("Content-Type", "application/json")
	return h
}

func postFile(t *testing.T, url string, h http.Header, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "%s", b)
	return resp.StatusCode, m
}

// kcatRecord is one line of `kcat -C -J`.
type kcatRecord struct {
	Topic   string   `json:"topic"`
	Key     string   `json:"key"`
	Payload string   `json:"payload"`
	Headers []string `json:"headers"`
}

func kcatRead(t *testing.T, kafkaAddr, topic string) []kcatRecord {
	t.Helper()
	kcat := sinktest.Tool(t, "CORRIDOR_KCAT", "kcat")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, kcat, "-b", kafkaAddr, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q").Output()
	require.NoError(t, err, "kcat")
	var recs []kcatRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r kcatRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "kcat line %q", sc.Text())
		recs = append(recs, r)
	}
	return recs
}

func kcatHeaders(r kcatRecord) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(r.Headers); i += 2 {
		m[r.Headers[i]] = r.Headers[i+1]
	}
	return m
}

func TestEndToEndServeBinary(t *testing.T) {
	bin := binary(t)
	dataDir := t.TempDir()
	httpAddr, kafkaAddr := freePort(t), freePort(t)
	p := startServe(t, bin, httpAddr, kafkaAddr, dataDir)
	base := "http://" + httpAddr + "/v1/webhooks/"

	tfFile, zdFile := firstFixture(t, "typeform"), firstFixture(t, "zendesk")
	tfBody, err := os.ReadFile(tfFile)
	require.NoError(t, err)
	zdBody, err := os.ReadFile(zdFile)
	require.NoError(t, err)

	wantIDs := map[string]string{}
	for _, c := range []struct {
		source, secret, file string
		body                 []byte
	}{
		{"typeform", e2eTypeformSecret, tfFile, tfBody},
		{"zendesk", e2eZendeskSecret, zdFile, zdBody},
	} {
		status, resp := postFile(t, base+c.source, signHeaders(t, bin, c.source, c.secret, c.file), c.body)
		require.Equal(t, http.StatusOK, status, "%s: %v", c.source, resp)
		ids := resp["ids"].([]any)
		require.Len(t, ids, 1)
		wantIDs[ids[0].(string)] = c.source
	}

	// A tampered request is refused and becomes no record.
	tampered := bytes.Replace(tfBody, []byte("a"), []byte("b"), 1)
	status, resp := postFile(t, base+"typeform", signHeaders(t, bin, "typeform", e2eTypeformSecret, tfFile), tampered)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "signature_invalid", resp["error"].(map[string]any)["code"])

	// Read back with kafka-go.
	msgs := sinktest.WaitFor(t, kafkaAddr, "corridor.feedback.v1", 2, 10*time.Second)
	require.Len(t, msgs, 2, "the tampered request added nothing")
	bySource := map[string]feedback.Record{}
	for _, m := range msgs {
		var rec feedback.Record
		require.NoError(t, json.Unmarshal(m.Value, &rec))
		require.NoError(t, rec.Validate())
		require.Contains(t, wantIDs, rec.ID)
		assert.Equal(t, wantIDs[rec.ID], rec.Source)
		assert.Equal(t, rec.Key(), string(m.Key))
		assert.Equal(t, 1, rec.SchemaVersion)
		assert.NotEmpty(t, rec.EventID)
		assert.False(t, rec.OccurredAt.IsZero())
		assert.False(t, rec.ReceivedAt.IsZero())
		assert.NotEmpty(t, rec.Text)
		assert.NotNil(t, rec.Themes)
		assert.NotNil(t, rec.PII)
		bySource[rec.Source] = rec
	}
	tf, zd := bySource["typeform"], bySource["zendesk"]
	assert.Equal(t, feedback.KindSurvey, tf.Kind)
	require.NotNil(t, tf.Score, "typeform fixture carries a score")
	assert.InDelta(t, (tf.Score.Value-tf.Score.Min)/(tf.Score.Max-tf.Score.Min), tf.Score.Normalized, 1e-9)
	assert.Equal(t, feedback.KindTicket, zd.Kind)
	assert.NotEmpty(t, zd.Customer.ID, "zendesk requester is the customer")
	for _, rec := range bySource {
		assert.NotNil(t, rec.Sentiment, "%s: English text gets a sentiment", rec.Source)
	}

	// Read back with kcat, an independent client, headers included.
	krecs := kcatRead(t, kafkaAddr, "corridor.feedback.v1")
	require.Len(t, krecs, 2)
	for _, kr := range krecs {
		var rec feedback.Record
		require.NoError(t, json.Unmarshal([]byte(kr.Payload), &rec))
		h := kcatHeaders(kr)
		assert.Equal(t, "1.0", h["ce_specversion"])
		assert.Equal(t, rec.ID, h["ce_id"])
		assert.Equal(t, "/corridor/sources/"+rec.Source, h["ce_source"])
		assert.Equal(t, "com.corridorhq.feedback.v1", h["ce_type"])
		ceTime, err := time.Parse(time.RFC3339Nano, h["ce_time"])
		require.NoError(t, err)
		assert.True(t, ceTime.Equal(rec.OccurredAt))
		assert.Equal(t, "application/json", h["content-type"])
		assert.Equal(t, rec.Key(), kr.Key)
	}
	raws := kcatRead(t, kafkaAddr, "corridor.raw.v1")
	require.Len(t, raws, 2)
	dlq := kcatRead(t, kafkaAddr, "corridor.dlq.v1")
	require.Len(t, dlq, 1)
	assert.Equal(t, "signature_invalid", kcatHeaders(dlq[0])["reason"])
	assert.Equal(t, string(tampered), dlq[0].Payload)

	// /metrics counts what happened.
	mresp, err := http.Get("http://" + httpAddr + "/metrics")
	require.NoError(t, err)
	scrape, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	assert.Contains(t, string(scrape), `corridor_ingest_rejections_total{reason="signature_invalid",source="typeform"} 1`)
	assert.Contains(t, string(scrape), `corridor_decode_records_total{kind="survey",outcome="accepted",source="typeform"} 1`)

	// Restart on the same data dir: earlier records are still there.
	p.stop(t)
	assert.Contains(t, p.logs.String(), "kcat -b "+kafkaAddr, "logs how to read the topic")
	startServe(t, bin, httpAddr, kafkaAddr, dataDir)
	after := sinktest.WaitFor(t, kafkaAddr, "corridor.feedback.v1", 2, 10*time.Second)
	assert.Len(t, after, 2)
	for _, m := range after {
		var rec feedback.Record
		require.NoError(t, json.Unmarshal(m.Value, &rec))
		assert.Contains(t, wantIDs, rec.ID)
	}
}

func TestEndToEndBadConfigExitsWithEveryProblem(t *testing.T) {
	bin := binary(t)
	cfg := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("gateway:\n  write_timeout: -1s\nkafka:\n  compression: brotli\nsources:\n  typeform: {}\n  survey: {type: nosuchvendor}\n"), 0o600))
	cmd := exec.Command(bin, "serve", "--config", cfg, "--http-addr", "nope")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.NotEqual(t, 0, exit.ExitCode())
	for _, want := range []string{"invalid configuration", "gateway.http_addr", "gateway.write_timeout", "kafka.compression", "sources.survey.type", "sources.typeform.secrets", "CORRIDOR_SECRET_TYPEFORM"} {
		assert.Contains(t, string(out), want)
	}
}

func TestEndToEndTagCommand(t *testing.T) {
	bin := binary(t)
	in := strings.Join([]string{
		`{"id":"a1","text":"I was charged twice and nobody answered my email at jo@example.com"}`,
		`{"id":42,"text":"The delivery was fast and the staff were lovely"}`,
		`{"id":"empty","text":"   "}`,
	}, "\n")
	cmd := exec.Command(bin, "tag")
	cmd.Stdin = strings.NewReader(in)
	out, err := cmd.Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, 3)
	var first struct {
		ID     string           `json:"id"`
		Text   string           `json:"text"`
		Themes []feedback.Theme `json:"themes"`
		PII    map[string]int   `json:"pii"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	assert.Equal(t, "a1", first.ID)
	assert.NotContains(t, first.Text, "jo@example.com")
	assert.Equal(t, 1, first.PII["email"])
	var themeIDs []string
	for _, th := range first.Themes {
		themeIDs = append(themeIDs, th.ID)
	}
	assert.Contains(t, fmt.Sprint(themeIDs), "billing")
	var second map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &second))
	assert.Equal(t, 42.0, second["id"], "ids are preserved as given")

	bad := exec.Command(bin, "tag")
	bad.Stdin = strings.NewReader("{not json}\n")
	out, err = bad.Output()
	assert.Error(t, err, "a bad line makes tag exit non-zero")
	assert.Contains(t, string(out), "invalid JSON")
}
