package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corridorhq/corridor/gateway/sink/sinktest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metricSum scrapes http://addr/metrics and sums the samples of name.
func metricSum(addr, name string) (float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	sum := 0.0
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, nil
}

// TestEndToEndTwoServesPollEachReviewOnce: two `corridor serve` processes
// on one config and one broker split the review connectors (Kafka's group
// protocol arbitrates), every review reaches corridor.feedback.v1 once, and
// when the owner is killed (-9) the survivor takes its connectors over
// within the session timeout and picks up what arrived meanwhile.
func TestEndToEndTwoServesPollEachReviewOnce(t *testing.T) {
	bin := binary(t)
	b := sinktest.StartBroker(t)
	v := newRSSVendor(t, 3)
	apps := []string{"1000000011", "1000000012", "1000000013", "1000000014", "1000000015", "1000000016", "1000000017", "1000000018"}
	var conf strings.Builder
	conf.WriteString("poll:\n  session_timeout: 6s\n  heartbeat_interval: 500ms\n  backoff: 200ms\n  max_backoff: 1s\nconnectors:\n")
	want := 0
	for i, app := range apps {
		fmt.Fprintf(&conf, "  - {type: appstore, id: app-%d, interval: 1s, base_url: %q, params: {app_id: %q, country: us}}\n", i, v.srv.URL, app)
		want += len(v.add(app, 5))
	}
	file := writeConfig(t, conf.String())
	serve := func() (*gatewayProc, string) {
		addr := freePort(t)
		return startServeArgs(t, bin, nil, "serve", "--config", file, "--http-addr", addr, "--kafka-brokers", b.Addr(), "--data-dir", t.TempDir()), addr
	}
	pa, addrA := serve()
	pb, addrB := serve()

	owned := func(addr string) float64 {
		n, err := metricSum(addr, "corridor_poll_owned_connectors")
		if err != nil {
			return -1
		}
		return n
	}
	waitUntil(t, 30*time.Second, "both instances own connectors", func() bool {
		a, b := owned(addrA), owned(addrB)
		return a > 0 && b > 0 && a+b == float64(len(apps))
	})
	t.Logf("A owns %v connectors, B owns %v", owned(addrA), owned(addrB))
	sinktest.WaitFor(t, b.Addr(), "corridor.feedback.v1", want, 30*time.Second)
	time.Sleep(2 * time.Second) // a couple more polls each: nothing may be written twice
	for k, n := range reviewVersions(t, b.Addr()) {
		require.Equal(t, 1, n, "review %s written %d times", k, n)
	}

	require.NoError(t, pa.cmd.Process.Kill())
	<-pa.done
	killed := time.Now()
	for _, app := range apps {
		want += len(v.add(app, 2))
	}
	waitUntil(t, 30*time.Second, "B owns every connector", func() bool { return owned(addrB) == float64(len(apps)) })
	took := time.Since(killed)
	t.Logf("B took over the killed instance's connectors %s after kill -9 (session timeout 6s)", took.Round(100*time.Millisecond))
	assert.Less(t, took, 15*time.Second)
	sinktest.WaitFor(t, b.Addr(), "corridor.feedback.v1", want, 30*time.Second)
	time.Sleep(2 * time.Second)

	got := reviewVersions(t, b.Addr())
	assert.Len(t, got, want, "every review")
	extra := 0
	for _, n := range got {
		extra += n - 1
	}
	dups, err := metricSum(addrB, "corridor_poll_duplicates_total")
	require.NoError(t, err)
	assert.InDelta(t, float64(extra), dups, 0, "a repeat (kill -9 between records and cursor) is counted, never silent")
	pb.stop(t)
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
