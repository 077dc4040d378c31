package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/all"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
)

func vendorSecret(typ string) string { return "test-" + typ + "-secret" }

// stripSignature removes what authenticates a request: signature headers,
// and Qualtrics' HMAC form field.
func stripSignature(body []byte, contentType string) []byte {
	if !strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
		return body
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return body
	}
	vals.Del("HMAC")
	return []byte(vals.Encode())
}

// brokenBody is a body in the vendor's content type that cannot be decoded.
func brokenBody(contentType string) ([]byte, string) {
	switch {
	case strings.HasPrefix(contentType, "application/x-www-form-urlencoded"):
		return []byte("Topic=surveyengine.completedResponse.SV_1&MSG=%7B%22SurveyID%22%3A"), contentType
	case strings.HasPrefix(contentType, "multipart/form-data"):
		return []byte("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ntrunc"), "multipart/form-data; boundary=b"
	}
	return []byte(`{"event_type": "x", "data": {"id": `), contentType
}

// Every vendor, through the HTTP gateway: each kind of bad input gets its
// status, JSON error code, a counted reason and, when the bytes arrived
// intact, a dead letter with that reason.
func TestIntegrationBadInputEveryVendor(t *testing.T) {
	var extra []gateway.Source
	for _, f := range all.Factories() {
		if f.Type == "typeform" || f.Type == "zendesk" {
			continue // the harness configures these
		}
		sc := connectors.SourceConfig{Type: f.Type, Secrets: []string{vendorSecret(f.Type)}, API: connectors.EnrichConfig{BaseURL: "http://127.0.0.1:1", Attempts: 1}}
		dec, err := f.New(sc, connectors.Settings{Name: f.Type})
		require.NoError(t, err)
		extra = append(extra, gateway.NewSource(f.Type, f, sc, dec))
	}
	h := newHarness(t, harnessOpts{extra: extra})
	dlq := 0
	timestamped := map[string]bool{}

	for _, f := range all.Factories() {
		uri := "/v1/webhooks/" + f.Type
		sample, ct := connectortest.Sample(t, f.Type, filepath.Join("..", "connectors", f.Type, "testdata"))
		signedBody, signedHdr := connectortest.SignAs(t, f, vendorSecret(f.Type), uri, sample, ct, time.Now())
		broken, brokenCT := brokenBody(ct)
		broken, brokenHdr := connectortest.SignAs(t, f, vendorSecret(f.Type), uri, broken, brokenCT, time.Now())
		wrongBody, wrongHdr := connectortest.SignAs(t, f, "not-the-secret", uri, sample, ct, time.Now())
		textHdr := signedHdr.Clone()
		textHdr.Set("Content-Type", "text/plain")
		deep := []byte(strings.Repeat("[", 1000) + strings.Repeat("]", 1000))
		deep, deepHdr := connectortest.SignAs(t, f, vendorSecret(f.Type), uri, deep, "application/json", time.Now())

		cases := []struct {
			name   string
			header http.Header
			body   []byte
			status int
			code   string
			dlq    bool
		}{
			{"malformed", brokenHdr, broken, 400, "malformed", true},
			{"wrong content type", textHdr, signedBody, 415, "unsupported_media_type", true},
			{"missing signature", http.Header{"Content-Type": {ct}}, stripSignature(sample, ct), 401, "signature_missing", true},
			{"wrong secret", wrongHdr, wrongBody, 401, "signature_invalid", true},
			{"body over the limit", signedHdr, bytes.Repeat([]byte("x"), 65<<10), 413, "too_large", false},
		}
		if ct == "application/json" {
			cases = append(cases, struct {
				name   string
				header http.Header
				body   []byte
				status int
				code   string
				dlq    bool
			}{"deeply nested", deepHdr, deep, 400, "malformed", true})
		}
		for _, c := range cases {
			t.Run(f.Type+"/"+c.name, func(t *testing.T) {
				labels := map[string]string{"source": f.Type, "reason": c.code}
				before := series(t, h.reg, "corridor_ingest_rejections_total", labels)
				a := h.post(t, uri, c.header, c.body)
				require.Equal(t, c.status, a.status, "%v", a.body)
				e, ok := a.body["error"].(map[string]any)
				require.True(t, ok, "JSON error body: %v", a.body)
				assert.Equal(t, c.code, e["code"])
				assert.Equal(t, before+1, series(t, h.reg, "corridor_ingest_rejections_total", labels))
				if c.dlq {
					dlq++
					msgs := sinktest.WaitFor(t, h.brokers, "corridor.dlq.v1", dlq, 10*time.Second)
					assert.Equal(t, c.code, sinktest.Header(msgs[len(msgs)-1], "reason"))
					assert.True(t, bytes.Equal(c.body, msgs[len(msgs)-1].Value), "dead letter keeps the exact bytes")
				}
			})
		}

		// Stale timestamps: where the vendor signs one, an hour-old signature
		// is refused; elsewhere there is no replay window to enforce.
		t.Run(f.Type+"/stale timestamp", func(t *testing.T) {
			oldBody, oldHdr := connectortest.SignAs(t, f, vendorSecret(f.Type), uri, sample, ct, time.Now().Add(-time.Hour))
			src, _ := h.srv.Source(f.Type)
			verr := src.Verifier.Verify(connectors.Request{Method: "POST", URI: uri, ContentType: strings.Split(ct, ";")[0], Header: oldHdr, Body: oldBody})
			a := h.post(t, uri, oldHdr, oldBody)
			if errors.Is(verr, connectors.ErrTimestampStale) {
				timestamped[f.Type] = true
				dlq++
				require.Equal(t, 401, a.status)
				assert.Equal(t, "timestamp_stale", a.body["error"].(map[string]any)["code"])
				return
			}
			require.NoError(t, verr)
			if src.Enricher != nil {
				// No replay window; the vendor API is unreachable here: 503 so
				// the vendor retries, the raw request kept meanwhile.
				dlq++
				require.Equal(t, 503, a.status, "%v", a.body)
				assert.Equal(t, "enrichment_failed", a.body["error"].(map[string]any)["code"])
				return
			}
			assert.Contains(t, []int{200, 202}, a.status, "no replay window: decoded as usual (%v)", a.body)
		})
	}
	for _, typ := range []string{"zendesk", "generic", "formbricks", "googleforms"} {
		if _, ok := all.Lookup(typ); ok {
			assert.True(t, timestamped[typ], "%s signs a timestamp and must enforce its replay window", typ)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := sinktest.ReadAll(ctx, h.brokers, "corridor.dlq.v1")
	require.NoError(t, err)
	if !assert.Equal(t, dlq, len(got), "one dead letter per intact bad request") {
		for _, m := range got {
			t.Logf("dlq: %s %s", sinktest.Header(m, "corridor-source"), sinktest.Header(m, "reason"))
		}
	}
}
