// Command soak proves that nothing Corridor acknowledged is lost. It starts
// `corridor broker` and `corridor serve` as separate processes on loopback,
// drives signed webhooks with unique ids at a steady rate, stops the broker
// for a while and restarts it on the same data dir, kill -9s the gateway
// once and restarts it, then reads corridor.feedback.v1 and prints
//
//	acked=N found=N lost=0 duplicates=D
//
// It exits non-zero when any acknowledged record is missing. It is bounded
// in time (about two and a half minutes) and stops by itself.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/all"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

const secret = "whsec_c29hay10ZXN0LXNlY3JldC1rZXktYnl0ZXMtMTIzNDU2"

type options struct {
	bin                      string
	rate                     int
	workers                  int
	run, brokerDown, killAt  time.Duration
	brokerStop, drainTimeout time.Duration
	keep                     bool
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/corridor", "corridor binary")
	flag.IntVar(&o.rate, "rate", 200, "webhooks per second")
	flag.IntVar(&o.workers, "workers", 16, "concurrent senders")
	flag.DurationVar(&o.run, "duration", 90*time.Second, "how long to send")
	flag.DurationVar(&o.brokerStop, "broker-stop-at", 15*time.Second, "when to stop the broker")
	flag.DurationVar(&o.brokerDown, "broker-down", 20*time.Second, "how long the broker stays down")
	flag.DurationVar(&o.killAt, "kill-at", 55*time.Second, "when to kill -9 the gateway")
	flag.DurationVar(&o.drainTimeout, "drain-timeout", 45*time.Second, "how long to wait for the spool to drain at the end")
	flag.BoolVar(&o.keep, "keep", false, "keep the data dir")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

func start(name, logPath, bin string, env []string, args ...string) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	return p, nil
}

func (p *proc) signal(sig syscall.Signal, wait time.Duration) {
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitReady(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready within %s", url, timeout)
}

func run(o options) error {
	dir, err := os.MkdirTemp("", "corridor-soak-")
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	brokerAddr, err := freeAddr()
	if err != nil {
		return err
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "corridor.yaml")
	cfg := fmt.Sprintf("data_dir: %s\nlog_level: warn\ngateway:\n  write_timeout: 1s\nsources:\n  generic:\n    secrets: [%q]\n", filepath.Join(dir, "gateway"), secret)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}
	brokerArgs := []string{"broker", "--addr", brokerAddr, "--data-dir", filepath.Join(dir, "broker")}
	serveArgs := []string{"serve", "--config", cfgPath, "--kafka-brokers", brokerAddr, "--http-addr", httpAddr}
	logPath := filepath.Join(dir, "soak.log")

	b, err := start("broker", logPath, o.bin, nil, brokerArgs...)
	if err != nil {
		return err
	}
	defer func() { b.signal(syscall.SIGTERM, 10*time.Second) }()
	g, err := start("gateway", logPath, o.bin, nil, serveArgs...)
	if err != nil {
		return err
	}
	defer func() { g.signal(syscall.SIGTERM, 20*time.Second) }()
	if err := waitReady("http://"+httpAddr+"/readyz", 60*time.Second); err != nil {
		return err
	}

	f, _ := all.Lookup("generic")
	dec, err := f.New(connectors.SourceConfig{Type: "generic", Secrets: []string{secret}}, connectors.Settings{Name: "generic"})
	if err != nil {
		return err
	}
	signer := dec.(connectors.Signer)

	var (
		mu       sync.Mutex
		acked    = map[string]bool{}
		statuses = map[string]int{}
		seq      atomic.Int64
	)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.workers}}
	send := func() {
		n := seq.Add(1)
		body := fmt.Appendf(nil, `{"id":"soak-%d","kind":"survey","customer":{"id":"cust-%d"},"score":{"value":%d,"min":0,"max":10,"type":"nps"},"text":"Delivery number %d was late and support never called back"}`, n, n%97, n%11, n)
		req := connectors.Request{Method: "POST", ContentType: "application/json", Header: http.Header{}, Body: body}
		if err := signer.Sign(&req, time.Now()); err != nil {
			panic(err)
		}
		hr, _ := http.NewRequest(http.MethodPost, "http://"+httpAddr+"/v1/webhooks/generic", bytes.NewReader(body))
		hr.Header = req.Header
		hr.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(hr)
		key := "conn_error"
		var ids []string
		if err == nil {
			var out struct {
				IDs []string `json:"ids"`
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			key = fmt.Sprint(resp.StatusCode)
			if resp.StatusCode/100 == 2 {
				if err := json.Unmarshal(raw, &out); err == nil {
					ids = out.IDs
				}
			}
		}
		mu.Lock()
		statuses[key]++
		for _, id := range ids {
			acked[id] = true
		}
		mu.Unlock()
	}

	// Steady rate across workers.
	ctx, cancel := context.WithTimeout(context.Background(), o.run)
	defer cancel()
	ticks := make(chan struct{}, o.rate)
	go func() {
		t := time.NewTicker(time.Second / time.Duration(o.rate))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				close(ticks)
				return
			case <-t.C:
				select {
				case ticks <- struct{}{}:
				default: // senders are behind; do not queue without bound
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ticks {
				send()
			}
		}()
	}

	// Faults.
	began := time.Now()
	faults := make(chan error, 1)
	go func() {
		sleepUntil := func(d time.Duration) { time.Sleep(time.Until(began.Add(d))) }
		sleepUntil(o.brokerStop)
		fmt.Printf("t=%4.0fs stop broker\n", time.Since(began).Seconds())
		b.signal(syscall.SIGTERM, 10*time.Second)
		sleepUntil(o.brokerStop + o.brokerDown)
		nb, err := start("broker", logPath, o.bin, nil, brokerArgs...)
		if err != nil {
			faults <- err
			return
		}
		b = nb
		fmt.Printf("t=%4.0fs broker restarted on the same data dir\n", time.Since(began).Seconds())
		sleepUntil(o.killAt)
		fmt.Printf("t=%4.0fs kill -9 gateway\n", time.Since(began).Seconds())
		g.signal(syscall.SIGKILL, 5*time.Second)
		ng, err := start("gateway", logPath, o.bin, nil, serveArgs...)
		if err != nil {
			faults <- err
			return
		}
		g = ng
		if err := waitReady("http://"+httpAddr+"/readyz", 60*time.Second); err != nil {
			faults <- err
			return
		}
		fmt.Printf("t=%4.0fs gateway restarted\n", time.Since(began).Seconds())
		faults <- nil
	}()
	wg.Wait()
	if err := <-faults; err != nil {
		return err
	}

	// Wait until the spool is empty, then read everything back.
	if err := waitDrained("http://"+httpAddr+"/metrics", o.drainTimeout); err != nil {
		return err
	}
	rctx, rcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer rcancel()
	msgs, err := sinktest.ReadAll(rctx, brokerAddr, "corridor.feedback.v1")
	if err != nil {
		return fmt.Errorf("read back: %w", err)
	}
	seen := map[string]int{}
	for _, m := range msgs {
		var r struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(m.Value, &r); err != nil {
			return fmt.Errorf("record at offset %d: %w", m.Offset, err)
		}
		seen[r.ID]++
	}
	found, lost, dups := 0, 0, 0
	for id := range acked {
		if seen[id] > 0 {
			found++
		} else {
			lost++
		}
	}
	for _, n := range seen {
		dups += n - 1
	}
	fmt.Printf("answers: %s\n", formatCounts(statuses))
	fmt.Printf("acked=%d found=%d lost=%d duplicates=%d\n", len(acked), found, lost, dups)
	if lost > 0 {
		return fmt.Errorf("%d acknowledged records missing (logs: %s)", lost, logPath)
	}
	if len(acked) == 0 {
		return fmt.Errorf("nothing was acknowledged (logs: %s)", logPath)
	}
	return nil
}

func waitDrained(metricsURL string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(metricsURL)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, line := range strings.Split(string(b), "\n") {
				if line == "corridor_spool_records 0" {
					return nil
				}
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("spool not drained within %s", timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func formatCounts(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	return strings.Join(parts, " ")
}
