// Command loadbench runs `make bench-load`: wrk -t1 at -c64 and -c256
// against (a) the bare Fiber handler of benchmarks/barefiber and (b)
// `corridor serve` with full NLP answering 2xx after Kafka acks=all (a
// separate `corridor broker` process by default, or the embedded broker
// with --broker embedded), alternating targets within one run, and prints req/s,
// p50, p99 and the ratio b/a. Every request is a distinct, signed ~700-byte
// Typeform response. Loopback only; bounded in time.
package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const secret = "bench-typeform-secret"

var verbatims = []string{
	"Checkout kept timing out on the payment page and I was charged twice before the order went through",
	"The courier never arrived and support took three days to answer my email about the missing parcel",
	"Staff at the Leeds store were friendly and helpful but the queue at the till was far too long",
	"Onboarding was smooth and the trainer explained everything clearly, though the invoice came with the wrong VAT number",
	"The app crashes every time I try to log in since the last update, please fix this bug quickly",
	"Great value for the price, the product quality is excellent and delivery was faster than promised",
	"I asked for a refund two weeks ago and nobody has followed up, the returns policy is confusing",
	"The website is slow and the search never finds what I need, usability has gone downhill this year",
}

func body(i int) []byte {
	v := map[string]any{
		"event_id":   fmt.Sprintf("01BENCHEV%012d", i),
		"event_type": "form_response",
		"form_response": map[string]any{
			"form_id": "aBc123", "token": fmt.Sprintf("bench%012d", i),
			"landed_at": "2025-03-02T10:00:01Z", "submitted_at": "2025-03-02T10:01:12Z",
			"hidden": map[string]any{"customer_id": fmt.Sprintf("cust-%d", i%5000), "touchpoint": "checkout"},
			"definition": map[string]any{"id": "aBc123", "title": "NPS", "fields": []any{
				map[string]any{"id": "f1", "ref": "nps", "type": "nps", "title": "How likely are you to recommend us?"},
				map[string]any{"id": "f2", "ref": "why", "type": "long_text", "title": "Why?"},
			}},
			"answers": []any{
				map[string]any{"type": "number", "number": i % 11, "field": map[string]any{"id": "f1", "type": "nps", "ref": "nps"}},
				map[string]any{"type": "text", "text": verbatims[i%len(verbatims)], "field": map[string]any{"id": "f2", "type": "long_text", "ref": "why"}},
			},
		},
	}
	b, _ := json.Marshal(v)
	return b
}

// writeScript writes the wrk Lua script with n distinct signed requests.
func writeScript(path string, n int) (avgBytes int, err error) {
	var buf bytes.Buffer
	buf.WriteString("local reqs = {\n")
	total := 0
	for i := range n {
		b := body(i)
		total += len(b)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(b)
		sig := "sha256=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
		fmt.Fprintf(&buf, "{%q,%q},\n", b, sig)
	}
	buf.WriteString(`}
local i = 0
request = function()
  i = i % #reqs + 1
  local r = reqs[i]
  return wrk.format("POST", "/v1/webhooks/typeform", {["Content-Type"]="application/json", ["Typeform-Signature"]=r[2]}, r[1])
end
response = function(status, headers, body)
  if status >= 300 then bad = (bad or 0) + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non2xx_lua=%d\n", summary.errors.status))
end
`)
	return total / n, os.WriteFile(path, buf.Bytes(), 0o644)
}

type result struct {
	target        string
	conns         int
	rps           float64
	p50, p99      string
	non2xx, sockE string
	// CPU per request, in µs, of the server, wrk and the broker (0: no
	// broker process), from their CPU time over the run.
	cpuServer, cpuWrk, cpuBroker float64
}

var (
	totalRe  = regexp.MustCompile(`(\d+) requests in`)
	reqRe    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latRe    = regexp.MustCompile(`(?m)^\s+(50|99)%\s+(\S+)`)
	non2xxRe = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	sockRe   = regexp.MustCompile(`Socket errors: (.*)`)
)

// runWrk runs wrk against url and measures the CPU time that the server
// process and the broker process (0: none) spend during the run.
func runWrk(wrk, script, url string, conns int, dur time.Duration, server, broker int) (result, error) {
	cmd := exec.Command(wrk, "-t1", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%s", dur), "--latency", "-s", script, url)
	server0, broker0 := cpuTime(server), cpuTime(broker)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	serverCPU, brokerCPU := cpuTime(server)-server0, cpuTime(broker)-broker0
	wrkCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	r := result{conns: conns, non2xx: "0", sockE: "none"}
	if m := totalRe.FindSubmatch(out); m != nil {
		if n, _ := strconv.ParseFloat(string(m[1]), 64); n > 0 {
			perReq := func(d time.Duration) float64 { return float64(d.Microseconds()) / n }
			r.cpuServer, r.cpuWrk, r.cpuBroker = perReq(serverCPU), perReq(wrkCPU), perReq(brokerCPU)
		}
	}
	if m := reqRe.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	for _, m := range latRe.FindAllSubmatch(out, -1) {
		if string(m[1]) == "50" {
			r.p50 = string(m[2])
		} else {
			r.p99 = string(m[2])
		}
	}
	if m := non2xxRe.FindSubmatch(out); m != nil {
		r.non2xx = string(m[1])
	}
	if m := sockRe.FindSubmatch(out); m != nil {
		r.sockE = strings.TrimSpace(string(m[1]))
	}
	return r, nil
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(url string) error {
	for range 300 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready", url)
}

// waitTCP waits until addr accepts connections.
func waitTCP(addr string) error {
	for range 100 {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			return c.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s does not accept connections", addr)
}

// cpuTime is the user+system CPU time process pid has used so far, from
// /proc/<pid>/stat (in USER_HZ ticks, 100 a second on Linux); 0 for pid 0.
func cpuTime(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; count from after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func rssMB(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(sc.Text())[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func main() {
	bin := flag.String("bin", "bin/corridor", "corridor binary")
	bare := flag.String("bare", "bin/barefiber", "bare Fiber binary")
	wrk := flag.String("wrk", "wrk", "wrk binary")
	dur := flag.Duration("duration", 10*time.Second, "each wrk run")
	rounds := flag.Int("rounds", 2, "alternating rounds per connection count")
	n := flag.Int("requests", 20000, "distinct signed requests")
	brokerMode := flag.String("broker", "external", "external: Kafka is a separate `corridor broker` process, as a real deployment talks to a separate cluster; embedded: the broker runs inside corridor serve")
	only := flag.String("write-script", "", "only write the wrk Lua script to this path (for profiling by hand)")
	flag.Parse()
	if *only != "" {
		if _, err := writeScript(*only, *n); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			os.Exit(1)
		}
		return
	}
	if *brokerMode != "external" && *brokerMode != "embedded" {
		fmt.Fprintln(os.Stderr, "loadbench: --broker must be external or embedded")
		os.Exit(2)
	}
	if err := run(*bin, *bare, *wrk, *brokerMode, *dur, *rounds, *n); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

func run(bin, bare, wrk, brokerMode string, dur time.Duration, rounds, n int) error {
	dir, err := os.MkdirTemp("", "corridor-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "requests.lua")
	avg, err := writeScript(script, n)
	if err != nil {
		return err
	}
	bareAddr, httpAddr, kafkaAddr := freeAddr(), freeAddr(), freeAddr()
	cfg := filepath.Join(dir, "corridor.yaml")
	// dedup off: the script cycles through n ids, and every request must
	// reach Kafka for a fair measure of the acked path.
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "data_dir: %s\nlog_level: warn\ngateway:\n  dedup_window: 0s\nsources:\n  typeform:\n    secrets: [%q]\n", filepath.Join(dir, "var"), secret), 0o600); err != nil {
		return err
	}
	bcmd := exec.Command(bare, "--addr", bareAddr)
	if err := bcmd.Start(); err != nil {
		return err
	}
	defer func() { _ = bcmd.Process.Kill(); _ = bcmd.Wait() }()
	serveArgs := []string{"serve", "--config", cfg, "--http-addr", httpAddr, "--embedded-kafka-addr", kafkaAddr}
	var kcmd *exec.Cmd
	if brokerMode == "external" {
		kcmd = exec.Command(bin, "broker", "--addr", kafkaAddr, "--data-dir", filepath.Join(dir, "broker"))
		kcmd.Stderr = os.Stderr
		if err := kcmd.Start(); err != nil {
			return err
		}
		defer func() { _ = kcmd.Process.Signal(syscall.SIGTERM); _ = kcmd.Wait() }()
		if err := waitTCP(kafkaAddr); err != nil {
			return err
		}
		serveArgs = []string{"serve", "--config", cfg, "--http-addr", httpAddr, "--kafka-brokers", kafkaAddr}
	}
	ccmd := exec.Command(bin, serveArgs...)
	ccmd.Stderr = os.Stderr
	if err := ccmd.Start(); err != nil {
		return err
	}
	defer func() { _ = ccmd.Process.Signal(syscall.SIGTERM); _ = ccmd.Wait() }()
	if err := waitReady("http://" + bareAddr + "/readyz"); err != nil {
		return err
	}
	if err := waitReady("http://" + httpAddr + "/readyz"); err != nil {
		return err
	}
	// The broker's CPU counts against corridor's requests: with the
	// embedded broker it is inside corridor's own process.
	brokerPID := 0
	if kcmd != nil {
		brokerPID = kcmd.Process.Pid
	}
	// Warm up corridor (NLP word cache, Kafka connections, JIT of nothing).
	if _, err := runWrk(wrk, script, "http://"+httpAddr, 64, 3*time.Second, 0, 0); err != nil {
		return err
	}
	fmt.Printf("wrk -t1 -d%s, %d distinct signed Typeform webhooks of ~%d bytes, %d alternating rounds, %s broker\n", dur, n, avg, rounds, brokerMode)
	fmt.Printf("%-9s %-6s %10s %9s %9s %8s %-13s %s\n", "target", "conns", "req/s", "p50", "p99", "non2xx", "socket errors", "CPU µs/req: server wrk broker")
	for _, conns := range []int{64, 256} {
		var a, b []result
		for range rounds {
			ra, err := runWrk(wrk, script, "http://"+bareAddr, conns, dur, bcmd.Process.Pid, 0)
			if err != nil {
				return err
			}
			ra.target = "barefiber"
			rb, err := runWrk(wrk, script, "http://"+httpAddr, conns, dur, ccmd.Process.Pid, brokerPID)
			if err != nil {
				return err
			}
			rb.target = "corridor"
			for _, r := range []result{ra, rb} {
				broker := "-"
				if r.target == "corridor" && brokerPID != 0 {
					broker = fmt.Sprintf("%.0f", r.cpuBroker)
				}
				fmt.Printf("%-9s %-6d %10.0f %9s %9s %8s %-13s %6.0f %3.0f %6s\n", r.target, r.conns, r.rps, r.p50, r.p99, r.non2xx, r.sockE, r.cpuServer, r.cpuWrk, broker)
			}
			a, b = append(a, ra), append(b, rb)
		}
		var sa, sb float64
		for i := range a {
			sa += a[i].rps
			sb += b[i].rps
		}
		fmt.Printf("ratio corridor/barefiber at -c%d: %.2f (mean of %d rounds: %.0f / %.0f req/s)\n", conns, sb/sa, len(a), sb/float64(len(b)), sa/float64(len(a)))
	}
	fmt.Printf("corridor peak RSS: %.0f MB\n", rssMB(ccmd.Process.Pid))
	if kcmd != nil {
		fmt.Printf("broker peak RSS: %.0f MB (the dev broker keeps every record in memory)\n", rssMB(kcmd.Process.Pid))
	}
	return nil
}
