package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

// fake is a test connector: it decodes {"id":..} bodies into one survey
// record, enriches it (or fails), and answers a challenge header.
type fake struct {
	enrichErr error
	calls     int
}

func (f *fake) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	var p struct {
		ID    string            `json:"id"`
		Attrs map[string]string `json:"attrs"`
	}
	if err := connectors.DecodeJSON(req, &p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, connectors.Malformedf("id missing")
	}
	r := feedback.New("fake", feedback.KindSurvey, p.ID)
	r.OccurredAt, r.ReceivedAt = req.ReceivedAt, req.ReceivedAt
	r.Attributes = p.Attrs
	return []feedback.Record{r}, nil
}

func (f *fake) Enrich(_ context.Context, recs []feedback.Record) ([]feedback.Record, error) {
	f.calls++
	if f.enrichErr != nil {
		return nil, f.enrichErr
	}
	for i := range recs {
		recs[i].Text = "The refund took three weeks and nobody replied"
	}
	return recs, nil
}

func (f *fake) Handshake(req connectors.Request) (connectors.Response, bool, error) {
	ch := req.Header.Get("X-Challenge")
	if ch == "" {
		return connectors.Response{}, false, nil
	}
	return connectors.Response{Status: 200, ContentType: "text/plain", Body: []byte(ch)}, true, nil
}

func fakeSource(name string, f *fake, cfg connectors.SourceConfig) gateway.Source {
	return gateway.NewSource(name, connectors.Factory{Type: "fake", Kind: feedback.KindSurvey}, cfg, f)
}

func TestIntegrationMappingEnrichmentHandshakeAndChecks(t *testing.T) {
	ok, failing := &fake{}, &fake{enrichErr: fmt.Errorf("fake: %w: 502 from vendor", connectors.ErrUpstream)}
	ignoring := &fake{enrichErr: fmt.Errorf("fake: %w: response deleted", connectors.ErrIgnored)}
	mapped := connectors.SourceConfig{
		Mapping: connectors.Mapping{
			Touchpoint: &connectors.Rule{From: []string{"form_id"}, Values: map[string]string{"f1": "checkout"}},
			Location:   &connectors.Rule{From: []string{"tags"}, Prefix: "store:"},
		},
		Defaults: connectors.Defaults{Touchpoint: "never-used", Team: "cx", Role: "buyer"},
	}
	h := newHarness(t, harnessOpts{extra: []gateway.Source{
		fakeSource("fake", ok, mapped),
		fakeSource("fake-down", failing, connectors.SourceConfig{}),
		fakeSource("fake-gone", ignoring, connectors.SourceConfig{}),
	}})
	jsonHeader := http.Header{"Content-Type": {"application/json"}}

	a := h.post(t, "/v1/webhooks/fake", jsonHeader, []byte(`{"id":"r1","attrs":{"form_id":"f1","tags":"vip,store:leeds"}}`))
	require.Equal(t, http.StatusOK, a.status, "%v", a.body)
	msgs := sinktest.WaitFor(t, h.brokers, "corridor.feedback.v1", 1, 10*time.Second)
	rec := decodeRecord(t, msgs[len(msgs)-1].Value)
	assert.Equal(t, "checkout", rec.Touchpoint, "mapping beats defaults")
	assert.Equal(t, "leeds", rec.Location, "tag prefix rule")
	assert.Equal(t, "cx", rec.Team, "defaults fill what mapping left empty")
	assert.Equal(t, feedback.RoleBuyer, rec.Customer.Role)
	assert.Equal(t, "The refund took three weeks and nobody replied", rec.Text, "enriched before analysis")
	assert.NotEmpty(t, rec.Themes, "the enriched text was analyzed")

	// A failing vendor API: 503 so the vendor retries, raw kept in the DLQ.
	a = h.post(t, "/v1/webhooks/fake-down", jsonHeader, []byte(`{"id":"r2"}`))
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.NotEmpty(t, a.header.Get("Retry-After"))
	assert.Equal(t, "enrichment_failed", a.body["error"].(map[string]any)["code"])
	dlq := sinktest.WaitFor(t, h.brokers, "corridor.dlq.v1", 1, 10*time.Second)
	assert.Equal(t, "enrichment_failed", sinktest.Header(dlq[len(dlq)-1], "reason"))

	// The vendor says the object is gone: 202 ignored, no record.
	a = h.post(t, "/v1/webhooks/fake-gone", jsonHeader, []byte(`{"id":"r3"}`))
	assert.Equal(t, http.StatusAccepted, a.status)
	assert.Equal(t, "ignored", a.body["status"])

	// A duplicate is recognised before the vendor API is called again.
	calls := ok.calls
	a = h.post(t, "/v1/webhooks/fake", jsonHeader, []byte(`{"id":"r1","attrs":{"form_id":"f1","tags":"vip,store:leeds"}}`))
	assert.Equal(t, "duplicate", a.body["status"])
	assert.Equal(t, calls, ok.calls)

	// Handshake answered by the connector, nothing written.
	req, _ := http.NewRequest(http.MethodPost, h.url+"/v1/webhooks/fake", nil)
	req.Header.Set("X-Challenge", "abc123")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body := make([]byte, 16)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "abc123", string(body[:n]))

	// Endpoint checks (SurveyMonkey sends HEAD when a webhook is created).
	for path, want := range map[string]int{"/v1/webhooks/fake": 200, "/v1/webhooks/nosuch": 404} {
		resp, err := http.Head(h.url + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, path)
	}

	// Invalid UTF-8 is counted and repaired.
	a = h.post(t, "/v1/webhooks/fake", jsonHeader, []byte("{\"id\":\"r4\",\"attrs\":{\"x\":\"caf\xe9\"}}"))
	require.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, 1.0, series(t, h.reg, "corridor_decode_invalid_utf8_total", map[string]string{"source": "fake"}))
}

func decodeRecord(t *testing.T, b []byte) feedback.Record {
	t.Helper()
	var r feedback.Record
	require.NoError(t, json.Unmarshal(b, &r))
	require.NoError(t, r.Validate())
	return r
}

// panicker is a decoder with a bug.
type panicker struct{}

func (panicker) Decode(context.Context, connectors.Request) ([]feedback.Record, error) {
	panic("decoder bug")
}

func TestIntegrationPanicIsA500NotACrash(t *testing.T) {
	src := gateway.NewSource("buggy", connectors.Factory{Type: "buggy", Kind: feedback.KindSurvey}, connectors.SourceConfig{}, panicker{})
	h := newHarness(t, harnessOpts{extra: []gateway.Source{src}})
	req, _ := http.NewRequest(http.MethodPost, h.url+"/v1/webhooks/buggy", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	resp, err = http.Get(h.url + "/livez")
	require.NoError(t, err, "the server still serves")
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}
