package gateway_test

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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/all"
	"github.com/corridorhq/corridor/gateway"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
	"github.com/corridorhq/corridor/gateway/spool"
	"github.com/corridorhq/corridor/nlp"
)

const typeformSecret = "test-typeform-secret"

var (
	analyzerOnce sync.Once
	analyzer     *nlp.Analyzer
	analyzerErr  error
)

func sharedAnalyzer(t testing.TB) *nlp.Analyzer {
	t.Helper()
	analyzerOnce.Do(func() { analyzer, analyzerErr = nlp.New(nlp.NewDefaultConfig()) })
	require.NoError(t, analyzerErr)
	return analyzer
}

type harness struct {
	url     string
	brokers string
	reg     *prometheus.Registry
	srv     *gateway.Server
}

type harnessOpts struct {
	brokers      string // empty: start a broker
	writeTimeout time.Duration
	extra        []gateway.Source
	spool        *spool.Spool
	maxInflight  int
	rateLimit    float64 // typeform's requests/s
	hung         bool    // the broker never answers: create no topics
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	if o.brokers == "" {
		o.brokers = sinktest.StartBroker(t).Addr()
	}
	kcfg := sink.NewDefaultKafkaConfig()
	kcfg.Brokers = []string{o.brokers}
	kcfg.Topics.Feedback.Partitions = 3
	kcfg.Topics.Raw.Partitions = 3
	kcfg.Topics.DLQ.Partitions = 1
	k, err := sink.NewKafka(kcfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	if !o.hung {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, k.EnsureTopics(ctx))
	}

	var sources []gateway.Source
	for _, name := range []string{"typeform", "zendesk"} {
		f, ok := all.Lookup(name)
		require.True(t, ok)
		sc := connectors.SourceConfig{Type: name, Secrets: []string{"test-" + name + "-secret"}, Defaults: connectors.Defaults{Touchpoint: "default-" + name}}
		if name == "typeform" {
			sc.Mapping.Team = &connectors.Rule{From: []string{"form_id"}, Values: map[string]string{"aBc123": "growth"}}
			sc.RateLimit, sc.Burst = o.rateLimit, 1
		}
		dec, err := f.New(sc, connectors.Settings{Name: name})
		require.NoError(t, err)
		sources = append(sources, gateway.NewSource(name, f, sc, dec))
	}
	sources = append(sources, o.extra...)
	cfg := gateway.NewDefaultConfig()
	cfg.BodyLimit = 64 << 10
	if o.writeTimeout != 0 {
		cfg.WriteTimeout = o.writeTimeout
	}
	if o.maxInflight != 0 {
		cfg.MaxInflight = o.maxInflight
	}
	reg := prometheus.NewRegistry()
	srv, err := gateway.New(cfg, gateway.Settings{
		Registerer: reg, Gatherer: reg, Sink: k, Topics: kcfg.Topics,
		Analyzer: sharedAnalyzer(t), Sources: sources, Spool: o.spool,
	})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	replayCtx, stopReplay := context.WithCancel(context.Background())
	replayDone := make(chan struct{})
	go func() { defer close(replayDone); _ = srv.RunReplayer(replayCtx) }()
	t.Cleanup(func() {
		_ = srv.Shutdown(context.Background())
		stopReplay()
		<-replayDone
	})
	return &harness{url: "http://" + ln.Addr().String(), brokers: o.brokers, reg: reg, srv: srv}
}

func fixture(t *testing.T, vendor, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "connectors", vendor, "testdata", name))
	require.NoError(t, err)
	return b
}

// signed returns the headers the vendor would send with body.
func signed(t *testing.T, source string, body []byte) http.Header {
	t.Helper()
	return signedWith(t, source, "test-"+source+"-secret", body)
}

func signedWith(t *testing.T, source, secret string, body []byte) http.Header {
	t.Helper()
	f, _ := all.Lookup(source)
	dec, err := f.New(connectors.SourceConfig{Type: source, Secrets: []string{secret}}, connectors.Settings{Name: source})
	require.NoError(t, err)
	req := connectors.Request{Method: "POST", URI: "/v1/webhooks/" + source, ContentType: "application/json", Header: http.Header{}, Body: body}
	require.NoError(t, dec.(connectors.Signer).Sign(&req, time.Now()))
	req.Header.Set("Content-Type", "application/json")
	return req.Header
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func (h *harness) post(t *testing.T, path string, header http.Header, body []byte) answer {
	t.Helper()
	if len(body) > 64<<10 { // over the harness's body limit
		return h.postOversized(t, path, header, len(body))
	}
	req, err := http.NewRequest(http.MethodPost, h.url+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header = header.Clone()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header}
	require.NoError(t, json.Unmarshal(raw, &a.body), "body %q", raw)
	return a
}

// postOversized sends only the headers of a request whose Content-Length is
// over the body limit and reads the answer: the server must refuse it from
// the header alone (a client still writing the body could otherwise see
// the connection close before the answer).
func (h *harness) postOversized(t *testing.T, path string, header http.Header, size int) answer {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	req, err := http.NewRequest(http.MethodPost, h.url+path, nil)
	require.NoError(t, err)
	req.Header = header.Clone()
	req.ContentLength = int64(size)
	var head bytes.Buffer
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", path, req.Host, size)
	require.NoError(t, req.Header.Write(&head))
	head.WriteString("\r\n")
	_, err = conn.Write(head.Bytes())
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header}
	require.NoError(t, json.Unmarshal(raw, &a.body), "body %q", raw)
	return a
}

func TestIntegrationAcceptedWebhookIsDurableInKafka(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	body := fixture(t, "typeform", "form_response_nps.json")
	a := h.post(t, "/v1/webhooks/typeform", signed(t, "typeform", body), body)
	require.Equal(t, http.StatusOK, a.status, "%v", a.body)
	ids := a.body["ids"].([]any)
	require.Len(t, ids, 1)

	// The 2xx came after acks=all: the record is readable right away.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := sinktest.ReadAll(ctx, h.brokers, "corridor.feedback.v1")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	var rec feedback.Record
	require.NoError(t, json.Unmarshal(msgs[0].Value, &rec))
	require.NoError(t, rec.Validate())
	assert.Equal(t, ids[0], rec.ID)
	assert.Equal(t, "typeform", rec.Source)
	assert.Equal(t, rec.Key(), string(msgs[0].Key))
	assert.Equal(t, rec.ID, sinktest.Header(msgs[0], "ce_id"))
	assert.NotEmpty(t, rec.Text)
	assert.NotEmpty(t, rec.Touchpoint)
	assert.NotNil(t, rec.Score)

	raws, err := sinktest.ReadAll(ctx, h.brokers, "corridor.raw.v1")
	require.NoError(t, err)
	require.Len(t, raws, 1)
	assert.Equal(t, body, raws[0].Value, "raw topic keeps the exact bytes")
	assert.NotEmpty(t, sinktest.Header(raws[0], "http-typeform-signature"))

	// A redelivery within the dedup window yields the same id and no second record.
	again := h.post(t, "/v1/webhooks/typeform", signed(t, "typeform", body), body)
	require.Equal(t, http.StatusOK, again.status)
	assert.Equal(t, "duplicate", again.body["status"])
	assert.Equal(t, ids, again.body["ids"])
	assert.Equal(t, 1.0, series(t, h.reg, "corridor_decode_records_total", map[string]string{"source": "typeform", "kind": "survey", "outcome": "accepted"}))
	assert.Equal(t, 1.0, series(t, h.reg, "corridor_decode_records_total", map[string]string{"source": "typeform", "kind": "survey", "outcome": "duplicate"}))
	// The children resolved once per source count like any other.
	assert.Equal(t, 2.0, series(t, h.reg, "corridor_ingest_requests_total", map[string]string{"source": "typeform", "code": "200"}))
	assert.Equal(t, 1.0, series(t, h.reg, "corridor_sink_messages_total", map[string]string{"stream": "raw", "outcome": "accepted"}))
	assert.Equal(t, 1.0, series(t, h.reg, "corridor_sink_messages_total", map[string]string{"stream": "feedback", "outcome": "accepted"}))
	assert.Equal(t, uint64(2), histogramCount(t, h.reg, "corridor_ingest_request_size_bytes", "typeform"))
	assert.Equal(t, uint64(2), histogramCount(t, h.reg, "corridor_ingest_request_duration_seconds", "typeform"))
	msgs, err = sinktest.ReadAll(ctx, h.brokers, "corridor.feedback.v1")
	require.NoError(t, err)
	assert.Len(t, msgs, 1)

	// The producer's counters: one request carried the raw and feedback messages.
	assert.Equal(t, 2.0, series(t, h.reg, "corridor_kafka_produce_messages_total", nil))
	assert.Equal(t, 1.0, series(t, h.reg, "corridor_kafka_produce_requests_total", nil))
	assert.Equal(t, 0.0, series(t, h.reg, "corridor_kafka_produce_errors_total", nil))
}

func TestIntegrationBadInputIsAnsweredCountedAndDeadLettered(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	good := fixture(t, "typeform", "form_response_nps.json")
	tampered := bytes.Replace(good, []byte(`"`), []byte(`'`), 1)
	zendesk := fixture(t, "zendesk", "ticket_created.json")
	malformed := []byte(`{"event_id": "x", "form_response": `)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	textHeader := signed(t, "typeform", []byte("hello"))
	textHeader.Set("Content-Type", "text/plain")

	tests := []struct {
		name   string
		path   string
		header http.Header
		body   []byte
		status int
		code   string
		source string
		dlq    bool
	}{
		{"tampered body", "/v1/webhooks/typeform", signed(t, "typeform", good), tampered, 401, "signature_invalid", "typeform", true},
		{"missing signature", "/v1/webhooks/typeform", jsonHeader, good, 401, "signature_missing", "typeform", true},
		{"wrong secret", "/v1/webhooks/zendesk", signedWith(t, "zendesk", "not-the-secret", zendesk), zendesk, 401, "signature_invalid", "zendesk", true},
		{"unknown source", "/v1/webhooks/nosuch", jsonHeader, good, 404, "unknown_source", "unknown", true},
		{"wrong content type", "/v1/webhooks/typeform", textHeader, []byte("hello"), 415, "unsupported_media_type", "typeform", true},
		{"malformed JSON", "/v1/webhooks/typeform", signed(t, "typeform", malformed), malformed, 400, "malformed", "typeform", true},
		{"body over limit", "/v1/webhooks/typeform", jsonHeader, bytes.Repeat([]byte("a"), 65<<10), 413, "too_large", "typeform", false},
	}
	dlqWant := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := series(t, h.reg, "corridor_ingest_rejections_total", map[string]string{"source": tt.source, "reason": tt.code})
			a := h.post(t, tt.path, tt.header, tt.body)
			assert.Equal(t, tt.status, a.status)
			e, ok := a.body["error"].(map[string]any)
			require.True(t, ok, "error body: %v", a.body)
			assert.Equal(t, tt.code, e["code"])
			assert.NotEmpty(t, e["message"])
			after := series(t, h.reg, "corridor_ingest_rejections_total", map[string]string{"source": tt.source, "reason": tt.code})
			assert.Equal(t, before+1, after, "rejection counted")
			if tt.dlq {
				dlqWant++
				msgs := sinktest.WaitFor(t, h.brokers, "corridor.dlq.v1", dlqWant, 10*time.Second)
				last := msgs[len(msgs)-1]
				assert.Equal(t, tt.code, sinktest.Header(last, "reason"))
				assert.Equal(t, tt.body, last.Value, "dead letter keeps the exact bytes")
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := sinktest.ReadAll(ctx, h.brokers, "corridor.feedback.v1")
	require.NoError(t, err)
	assert.Empty(t, msgs, "no bad input becomes a record")
	dlq, err := sinktest.ReadAll(ctx, h.brokers, "corridor.dlq.v1")
	require.NoError(t, err)
	assert.Len(t, dlq, dlqWant, "only intact bodies are dead-lettered")
}

// A broker that accepts connections and never answers gets 503 with
// Retry-After within the write deadline, never a hang and never a 2xx.
func TestIntegrationHungBrokerAnswers503(t *testing.T) {
	ln := hungBroker(t)
	h := newHarness(t, harnessOpts{brokers: ln, writeTimeout: 300 * time.Millisecond, hung: true})
	body := fixture(t, "typeform", "form_response_nps.json")
	start := time.Now()
	a := h.post(t, "/v1/webhooks/typeform", signed(t, "typeform", body), body)
	elapsed := time.Since(start)
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.Equal(t, "5", a.header.Get("Retry-After"))
	assert.Equal(t, "sink_timeout", a.body["error"].(map[string]any)["code"])
	assert.Less(t, elapsed, 5*time.Second, "answered near the 300ms deadline, not after kafka-go's own timeouts")

	resp, err := http.Get(h.url + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

func TestIntegrationProbesAndSources(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for path, want := range map[string]int{"/livez": 200, "/readyz": 200, "/v1/sources": 200} {
		resp, err := http.Get(h.url + path)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, path)
		if path == "/v1/sources" {
			assert.NotContains(t, string(b), "secret\"", "no secrets")
			assert.NotContains(t, string(b), "test-typeform-secret")
			var out struct {
				Sources []struct{ Name, Route string } `json:"sources"`
			}
			require.NoError(t, json.Unmarshal(b, &out))
			require.Len(t, out.Sources, 2)
			assert.Equal(t, "/v1/webhooks/typeform", out.Sources[0].Route)
		}
	}
}

// The registry follows Prometheus' naming rules, and a real scrape passes
// promtool's checks.
func TestIntegrationMetricsLintAndPromtool(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	body := fixture(t, "typeform", "form_response_nps.json")
	require.Equal(t, 200, h.post(t, "/v1/webhooks/typeform", signed(t, "typeform", body), body).status)

	problems, err := testutil.GatherAndLint(h.reg)
	require.NoError(t, err)
	assert.Empty(t, problems)

	resp, err := http.Get(h.url + "/metrics")
	require.NoError(t, err)
	scrape, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	for _, name := range []string{
		"corridor_ingest_requests_total", "corridor_ingest_request_duration_seconds", "corridor_ingest_request_size_bytes",
		"corridor_decode_records_total", "corridor_nlp_analyze_duration_seconds", "corridor_sink_write_duration_seconds",
		"corridor_sink_messages_total", "corridor_build_info",
	} {
		assert.Contains(t, string(scrape), name)
	}
	promtool := sinktest.Tool(t, "CORRIDOR_PROMTOOL", "promtool")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(scrape)
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "promtool check metrics:\n%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "promtool reported problems")
}

// histogramCount is the sample count of histogram name for source.
func histogramCount(t *testing.T, reg *prometheus.Registry, name, source string) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "source" && lp.GetValue() == source {
					return m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}

// series sums the values of a counter family's series whose labels include
// labels (0 when there is none).
func series(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	v := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, want := range labels {
				if got[k] != want {
					continue next
				}
			}
			v += m.GetCounter().GetValue()
		}
	}
	return v
}

// hungBroker returns the address of a listener that accepts connections and
// never answers, like a SIGSTOPped broker.
func hungBroker(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}
