package sink_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

func newSink(t *testing.T, brokers ...string) *sink.Kafka {
	t.Helper()
	cfg := sink.NewDefaultKafkaConfig()
	cfg.Brokers = brokers
	cfg.Topics.Feedback.Partitions = 3
	cfg.Topics.Raw.Partitions = 3
	cfg.Topics.DLQ.Partitions = 1
	k, err := sink.NewKafka(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	return k
}

func testRecord() feedback.Record {
	r := feedback.New("typeform", feedback.KindSurvey, "resp-1")
	r.Customer.ID = "cust-9"
	r.OccurredAt = time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC)
	r.ReceivedAt = r.OccurredAt.Add(time.Minute)
	r.Text = "Checkout keeps timing out"
	return r
}

func TestIntegrationKafkaWriteAndReadBack(t *testing.T) {
	b := sinktest.StartBroker(t)
	k := newSink(t, b.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, k.EnsureTopics(ctx))
	require.NoError(t, k.EnsureTopics(ctx), "creating existing topics is not an error")
	require.NoError(t, k.Ready(ctx))

	rec := testRecord()
	fm, err := sink.FeedbackMessage("corridor.feedback.v1", &rec)
	require.NoError(t, err)
	raw := &sink.Raw{Source: "typeform", Method: "POST", URI: "/v1/webhooks/typeform", ContentType: "application/json",
		Header: http.Header{"Typeform-Signature": {"sha256=abc"}, "Authorization": {"Basic c2VjcmV0"}}, Body: []byte(`{"x":1}`), ReceivedAt: rec.ReceivedAt}
	rm := sink.RawMessage("corridor.raw.v1", rec.Key(), raw, []string{rec.ID})
	require.NoError(t, k.Write(ctx, rm, fm))

	got := sinktest.WaitFor(t, b.Addr(), "corridor.feedback.v1", 1, 10*time.Second)
	require.Len(t, got, 1)
	m := got[0]
	assert.Equal(t, "cust-9", string(m.Key))
	assert.JSONEq(t, string(fm.Value), string(m.Value))
	for k, v := range map[string]string{
		"ce_specversion": "1.0", "ce_id": rec.ID, "ce_source": "/corridor/sources/typeform",
		"ce_type": sink.CETypeFeedback, "ce_time": "2025-03-02T10:01:12Z", "content-type": "application/json", "ce_subject": "resp-1",
	} {
		assert.Equal(t, v, sinktest.Header(m, k), "header %s", k)
	}

	raws := sinktest.WaitFor(t, b.Addr(), "corridor.raw.v1", 1, 10*time.Second)
	require.Len(t, raws, 1)
	assert.Equal(t, `{"x":1}`, string(raws[0].Value))
	assert.Equal(t, "sha256=abc", sinktest.Header(raws[0], "http-typeform-signature"))
	assert.Equal(t, "", sinktest.Header(raws[0], "http-authorization"), "credentials are never copied")
	assert.Equal(t, rec.ID, sinktest.Header(raws[0], sink.HeaderRecordIDs))
	assert.Equal(t, "/v1/webhooks/typeform", sinktest.Header(raws[0], sink.HeaderURI))
}

// A broker that accepts connections and never answers must not hang a
// write past its context deadline.
func TestIntegrationKafkaHungBrokerHonoursDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	k := newSink(t, ln.Addr().String())
	rec := testRecord()
	fm, err := sink.FeedbackMessage("corridor.feedback.v1", &rec)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- k.Write(ctx, fm) }()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
		assert.False(t, sink.Permanent(err))
	case <-time.After(10 * time.Second):
		t.Fatal("write to a hung broker did not return after its deadline")
	}
	rctx, rcancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer rcancel()
	assert.Error(t, k.Ready(rctx), "a hung broker is not ready")
}

func TestKafkaConfigValidateReportsEveryProblem(t *testing.T) {
	cfg := sink.NewDefaultKafkaConfig()
	cfg.Brokers = []string{"nohostport"}
	cfg.Topics.Raw.Name = cfg.Topics.Feedback.Name
	cfg.Topics.DLQ.Partitions = 0
	cfg.Compression = "brotli"
	err := cfg.Validate()
	require.Error(t, err)
	for _, want := range []string{"brokers[0]", "topics.raw.name", "topics.dlq.partitions", "compression"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NoError(t, sink.NewDefaultKafkaConfig().Validate())
}
