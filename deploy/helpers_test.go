package deploy_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gopkg.in/yaml.v3"

	"github.com/corridorhq/corridor/gateway"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
	"github.com/corridorhq/corridor/gateway/spool"
)

// repoRoot is the module root: tests run in deploy/.
const repoRoot = ".."

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

func dirExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// decodeYAML decodes one YAML document, failing the test on error.
func decodeYAML(t testing.TB, path string, v any) {
	t.Helper()
	if err := yaml.Unmarshal(readFile(t, path), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// promtool finds promtool: CORRIDOR_PROMTOOL, then PATH, then the copy
// `make tools` unpacks under .tools. Missing, it skips the test, or fails it
// when CORRIDOR_REQUIRE_TOOLS=1.
func promtool(t testing.TB) string {
	t.Helper()
	if os.Getenv("CORRIDOR_PROMTOOL") == "" {
		if _, err := exec.LookPath("promtool"); err != nil {
			local, err := filepath.Abs(filepath.Join(repoRoot, ".tools", "prometheus", "usr", "bin", "promtool"))
			if err == nil && fileExists(local) {
				return local
			}
		}
	}
	return sinktest.Tool(t, "CORRIDOR_PROMTOOL", "promtool")
}

// runTool runs name in dir and returns its combined output, failing the test
// when it exits non-zero.
func runTool(t testing.TB, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// corridorBin is the corridor binary: CORRIDOR_BIN (`make test` sets it),
// else one built once for this test run. -short skips the build.
func corridorBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CORRIDOR_BIN"); p != "" && fileExists(p) {
		return p
	}
	if testing.Short() {
		t.Skip("-short: no CORRIDOR_BIN and no build")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not in PATH to build corridor; set CORRIDOR_BIN")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "corridor-deploy-test-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "corridor")
		cmd := exec.Command(goBin, "build", "-o", builtBin, "./cmd/corridor")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/corridor: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// TestMain removes the binary built by corridorBin.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// --- The real registry -----------------------------------------------------

// metricInfo is what the registry says of one metric family.
type metricInfo struct {
	labels    map[string]bool // variable and constant labels
	histogram bool            // also exposes _bucket, _sum and _count
}

// descRecorder registers collectors with a real registry and keeps their
// descriptions: vectors without children never show up in Gather.
type descRecorder struct {
	prometheus.Registerer
	mu      sync.Mutex
	metrics map[string]*metricInfo
}

var (
	descFQName    = regexp.MustCompile(`fqName: "([^"]*)"`)
	descConstLbls = regexp.MustCompile(`constLabels: \{([^}]*)\}`)
	descVarLbls   = regexp.MustCompile(`variableLabels: \{([^}]*)\}`)
)

func (r *descRecorder) Register(c prometheus.Collector) error {
	histogram := false
	switch c.(type) {
	case *prometheus.HistogramVec, *prometheus.SummaryVec:
		histogram = true
	}
	if _, ok := c.(interface{ Observe(float64) }); ok {
		histogram = true
	}
	ch := make(chan *prometheus.Desc, 64)
	go func() {
		c.Describe(ch)
		close(ch)
	}()
	r.mu.Lock()
	for d := range ch {
		s := d.String()
		m := descFQName.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		info := &metricInfo{labels: map[string]bool{}, histogram: histogram}
		if cl := descConstLbls.FindStringSubmatch(s); cl != nil {
			for _, pair := range strings.Split(cl[1], ",") {
				if name, _, ok := strings.Cut(pair, "="); ok {
					info.labels[strings.TrimSpace(name)] = true
				}
			}
		}
		if vl := descVarLbls.FindStringSubmatch(s); vl != nil {
			for _, name := range strings.Split(vl[1], ",") {
				name = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(name), "c("), ")")
				if name != "" {
					info.labels[name] = true
				}
			}
		}
		r.metrics[m[1]] = info
	}
	r.mu.Unlock()
	return r.Registerer.Register(c)
}

func (r *descRecorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

type fakeSink struct{ ready error }

func (s fakeSink) Write(context.Context, ...sink.Message) error { return nil }
func (s fakeSink) Ready(context.Context) error                  { return s.ready }
func (s fakeSink) Close() error                                 { return nil }

type fakeAnalyzer struct{}

func (fakeAnalyzer) Analyze(string) feedback.Analysis            { return feedback.Analysis{} }
func (fakeAnalyzer) Redact(text string) (string, map[string]int) { return text, nil }

// testServer is a gateway.Server wired like `corridor serve` (Go and process
// collectors, gateway metrics, a spool), listening on a loopback port.
type testServer struct {
	url     string
	metrics map[string]*metricInfo
}

// startServer starts a server whose broker check returns ready.
func startServer(t *testing.T, ready error) *testServer {
	t.Helper()
	reg := prometheus.NewRegistry()
	rec := &descRecorder{Registerer: reg, metrics: map[string]*metricInfo{}}
	rec.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := gateway.NewMetrics(rec)

	scfg := spool.NewDefaultConfig()
	scfg.Dir = t.TempDir()
	sp, err := spool.Open(scfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sp.Close() })

	srv, err := gateway.New(gateway.NewDefaultConfig(), gateway.Settings{
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registerer: rec,
		Gatherer:   reg,
		Metrics:    m,
		Sink:       fakeSink{ready: ready},
		Analyzer:   fakeAnalyzer{},
		Spool:      sp,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		select {
		case <-done:
		case <-ctx.Done():
			t.Error("Serve did not return after Shutdown")
		}
	})
	s := &testServer{url: "http://" + ln.Addr().String(), metrics: rec.metrics}
	// Wait until Serve runs: fasthttp's Shutdown before Serve has started
	// returns at once and leaves Serve blocked forever.
	c := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := c.Get(s.url + "/livez")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the gateway does not answer: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// get returns the status code of GET path.
func (s *testServer) get(t *testing.T, path string) int {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(s.url + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// --- Known names -----------------------------------------------------------

// catalog is every name a query may use: the live registry, the names
// declared in gateway/metrics.go, and the label values the code writes.
type catalog struct {
	registry map[string]*metricInfo
	declared map[string]bool // Name: "…" in gateway/metrics.go
	literals map[string]bool // string literals of the gateway and connectors
}

var metricsGoName = regexp.MustCompile(`Name:\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"`)
var goLiteral = regexp.MustCompile(`"([a-z][a-z0-9_]*)"`)

func newCatalog(t *testing.T) *catalog {
	t.Helper()
	c := &catalog{
		registry: startServer(t, nil).metrics,
		declared: map[string]bool{},
		literals: map[string]bool{},
	}
	if c.registry["corridor_build_info"] == nil || c.registry["corridor_spool_records"] == nil {
		t.Fatalf("registry lacks corridor_build_info or the spool gauges; parsing prometheus.Desc failed? got %d names", len(c.registry))
	}
	for _, m := range metricsGoName.FindAllStringSubmatch(string(readFile(t, filepath.Join(repoRoot, "gateway", "metrics.go"))), -1) {
		c.declared[m[1]] = true
	}
	for _, dir := range []string{"gateway", "connectors", filepath.Join("gateway", "feedback")} {
		files, err := filepath.Glob(filepath.Join(repoRoot, dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			for _, m := range goLiteral.FindAllStringSubmatch(string(readFile(t, f)), -1) {
				c.literals[m[1]] = true
			}
		}
	}
	return c
}

// scrapeLabels are added by Prometheus to every scraped series.
var scrapeLabels = map[string]bool{"job": true, "instance": true}

// closedLabels are label values the code writes from a closed set; a query
// naming a value the code never writes is a typo.
var closedLabels = map[string]bool{"reason": true, "stream": true, "outcome": true, "kind": true}

// check reports what is wrong with one selector. recorded are the recording
// rules' names.
func (c *catalog) check(sel selector, recorded map[string]bool) []string {
	var errs []string
	var labels map[string]bool // nil: not checked
	switch name := sel.name; {
	case name == "":
		errs = append(errs, "selector without a metric name")
	case recorded[name]:
	case name == "up":
		labels = scrapeLabels
	case name == "ALERTS":
	case strings.Contains(name, ":"):
		errs = append(errs, fmt.Sprintf("%s: not a recording rule of rules.yaml", name))
	default:
		info, extra := c.lookup(name)
		switch {
		case info != nil:
			labels = map[string]bool{}
			for l := range info.labels {
				labels[l] = true
			}
			for l := range scrapeLabels {
				labels[l] = true
			}
			if extra != "" {
				labels[extra] = true
			}
		case c.declared[name] || c.declared[trimHistogramSuffix(name)]:
		default:
			errs = append(errs, fmt.Sprintf("%s: no such metric in the gateway's registry or gateway/metrics.go", name))
		}
	}
	for _, m := range sel.matchers {
		if labels != nil && !labels[m.label] {
			errs = append(errs, fmt.Sprintf("%s: no label %q (has %s)", sel.name, m.label, strings.Join(sortedKeys(labels), ", ")))
		}
		if !closedLabels[m.label] || strings.Contains(m.value, "$") {
			continue
		}
		for _, v := range matcherValues(m) {
			if !c.literals[v] {
				errs = append(errs, fmt.Sprintf("%s{%s%s%q}: the code never writes %s=%q", sel.name, m.label, m.op, m.value, m.label, v))
			}
		}
	}
	return errs
}

// lookup finds name in the registry, directly or as a histogram's series;
// extra is the label the series adds ("le" for _bucket).
func (c *catalog) lookup(name string) (info *metricInfo, extra string) {
	if info := c.registry[name]; info != nil {
		return info, ""
	}
	base := trimHistogramSuffix(name)
	if info := c.registry[base]; info != nil && info.histogram && base != name {
		if strings.HasSuffix(name, "_bucket") {
			return info, "le"
		}
		return info, ""
	}
	return nil, ""
}

func trimHistogramSuffix(name string) string {
	for _, s := range []string{"_bucket", "_sum", "_count"} {
		if strings.HasSuffix(name, s) {
			return strings.TrimSuffix(name, s)
		}
	}
	return name
}

// matcherValues are the values an equality matcher or a plain alternation
// regex ("a|b|c") names; other regexes name none.
func matcherValues(m matcher) []string {
	switch m.op {
	case "=", "!=":
		return []string{m.value}
	}
	var out []string
	for _, v := range strings.Split(m.value, "|") {
		if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(v) {
			return nil
		}
		out = append(out, v)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// --- Quantities ------------------------------------------------------------

// parseQuantity reads a Kubernetes quantity ("250m", "1", "512Mi", "2Gi").
func parseQuantity(s string) (float64, error) {
	suffixes := []struct {
		s string
		f float64
	}{
		{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
		{"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
	}
	for _, suf := range suffixes {
		if strings.HasSuffix(s, suf.s) {
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, suf.s), 64)
			return v * suf.f, err
		}
	}
	return strconv.ParseFloat(s, 64)
}

// parseGoMemLimit reads a GOMEMLIMIT value ("460MiB", "1GiB", "536870912").
func parseGoMemLimit(s string) (float64, error) {
	for _, suf := range []struct {
		s string
		f float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(s, suf.s) {
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, suf.s), 64)
			return v * suf.f, err
		}
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, nil
	}
	return 0, errors.New("not a GOMEMLIMIT value: " + s)
}
