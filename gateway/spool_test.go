package gateway_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/broker"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
	"github.com/corridorhq/corridor/gateway/spool"
)

func openSpool(t *testing.T, maxBytes int64) *spool.Spool {
	t.Helper()
	cfg := spool.NewDefaultConfig()
	cfg.Dir = t.TempDir()
	if maxBytes > 0 {
		cfg.MaxBytes, cfg.SegmentBytes = maxBytes, 64<<10
	}
	sp, err := spool.Open(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sp.Close() })
	return sp
}

// typeformBody returns a distinct, signed Typeform response for customer.
func typeformBody(t *testing.T, token, customer string) ([]byte, http.Header) {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "typeform", "form_response_nps.json"), &m))
	fr := m["form_response"].(map[string]any)
	fr["token"] = token
	m["event_id"] = "ev-" + token
	hidden, _ := fr["hidden"].(map[string]any)
	if hidden == nil {
		hidden = map[string]any{}
		fr["hidden"] = hidden
	}
	hidden["customer_id"] = customer
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b, signed(t, "typeform", b)
}

// A hung broker with a spool: the request is answered 2xx once the spool
// fsynced it, within the write deadline, never hanging.
func TestIntegrationHungBrokerSpoolsWithinDeadline(t *testing.T) {
	sp := openSpool(t, 0)
	h := newHarness(t, harnessOpts{hung: true, brokers: hungBroker(t), writeTimeout: 300 * time.Millisecond, spool: sp})
	body, hdr := typeformBody(t, "tok-hung", "cust-1")
	start := time.Now()
	a := h.post(t, "/v1/webhooks/typeform", hdr, body)
	assert.Equal(t, http.StatusOK, a.status, "%v", a.body)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, 1, sp.Stats().Records)
	assert.Equal(t, 1.0, series(t, h.reg, "corridor_decode_records_total", map[string]string{"source": "typeform", "outcome": "spooled"}))

	// While the spool holds entries, new requests join it (order), quickly.
	body2, hdr2 := typeformBody(t, "tok-hung-2", "cust-1")
	start = time.Now()
	a = h.post(t, "/v1/webhooks/typeform", hdr2, body2)
	assert.Equal(t, http.StatusOK, a.status)
	assert.Less(t, time.Since(start), 250*time.Millisecond, "no second wait for the deadline")
	assert.Equal(t, 2, sp.Stats().Records)
}

// Broker down: requests are spooled and acknowledged; when the broker comes
// back on the same address and data dir, the replayer delivers them in order.
func TestIntegrationOutageSpoolsThenReplaysInOrder(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	bcfg := broker.NewDefaultConfig()
	bcfg.Addr, bcfg.DataDir = addr, t.TempDir()
	b, err := broker.Start(bcfg)
	require.NoError(t, err)

	sp := openSpool(t, 0)
	h := newHarness(t, harnessOpts{brokers: addr, writeTimeout: time.Second, spool: sp})
	body, hdr := typeformBody(t, "tok-0", "cust-9")
	require.Equal(t, http.StatusOK, h.post(t, "/v1/webhooks/typeform", hdr, body).status)

	b.Close() // outage
	var want []string
	for i := 1; i <= 5; i++ {
		body, hdr := typeformBody(t, "tok-"+strconv.Itoa(i), "cust-9")
		a := h.post(t, "/v1/webhooks/typeform", hdr, body)
		require.Equal(t, http.StatusOK, a.status, "acknowledged from the spool during the outage: %v", a.body)
		want = append(want, a.body["ids"].([]any)[0].(string))
	}
	assert.Equal(t, 5, sp.Stats().Records)

	b, err = broker.Start(bcfg) // back, same address and data
	require.NoError(t, err)
	defer b.Close()
	deadline := time.Now().Add(30 * time.Second)
	for sp.Pending() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	require.False(t, sp.Pending(), "spool drained after the broker came back")
	msgs := sinktest.WaitFor(t, addr, "corridor.feedback.v1", 6, 10*time.Second)
	var got []string
	for _, m := range msgs[1:] {
		got = append(got, decodeRecord(t, m.Value).ID)
	}
	assert.Equal(t, want, got, "one customer's records arrive in order, on one partition")
	assert.Equal(t, 5.0, series(t, h.reg, "corridor_spool_replayed_total", nil))
}

func TestIntegrationSpoolFullAnswers503(t *testing.T) {
	sp := openSpool(t, 1<<20)
	filler := sink.MarshalBatch([]sink.Message{{Topic: "corridor.dlq.v1", Value: make([]byte, 512)}})
	for sp.Append(filler) == nil {
	}
	h := newHarness(t, harnessOpts{hung: true, brokers: hungBroker(t), writeTimeout: 200 * time.Millisecond, spool: sp})
	body, hdr := typeformBody(t, "tok-full", "c")
	a := h.post(t, "/v1/webhooks/typeform", hdr, body)
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.Equal(t, "spool_full", a.body["error"].(map[string]any)["code"])
	assert.NotEmpty(t, a.header.Get("Retry-After"))
}

func TestIntegrationOverloadAndRateLimit(t *testing.T) {
	h := newHarness(t, harnessOpts{hung: true, brokers: hungBroker(t), writeTimeout: 2 * time.Second, maxInflight: 1})
	body, hdr := typeformBody(t, "tok-a", "c")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // occupies the one in-flight slot until the write deadline
		defer wg.Done()
		h.post(t, "/v1/webhooks/typeform", hdr, body)
	}()
	time.Sleep(300 * time.Millisecond)
	body2, hdr2 := typeformBody(t, "tok-b", "c")
	start := time.Now()
	a := h.post(t, "/v1/webhooks/typeform", hdr2, body2)
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.Equal(t, "overloaded", a.body["error"].(map[string]any)["code"])
	assert.Less(t, time.Since(start), time.Second, "refused at once, not queued")
	wg.Wait()

	r := newHarness(t, harnessOpts{rateLimit: 0.5})
	for i, want := range []int{200, 429} {
		body, hdr := typeformBody(t, fmt.Sprintf("tok-r%d", i), "c")
		a := r.post(t, "/v1/webhooks/typeform", hdr, body)
		assert.Equal(t, want, a.status)
		if want == 429 {
			assert.Equal(t, "rate_limited", a.body["error"].(map[string]any)["code"])
			assert.Equal(t, "2", a.header.Get("Retry-After"))
		}
	}
}
