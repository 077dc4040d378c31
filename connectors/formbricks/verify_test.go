package formbricks

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
)

const whsec = "whsec_Zm9ybWJyaWNrcy13ZWJob29rLXRlc3Qtc2VjcmV0LTMyYg=="

func verifier(t *testing.T, cfg connectors.SourceConfig) *decoder {
	t.Helper()
	cfg.Type = Type
	d, err := NewFactory().New(cfg, connectortest.Settings(Type))
	require.NoError(t, err)
	return d.(*decoder)
}

func TestVerify(t *testing.T) {
	now := connectortest.ReceivedAt()
	one := connectors.SourceConfig{Secrets: []string{whsec}}
	body := []byte(`[{"event":"responseFinished","data":{"id":"r"}}]`)
	tests := []struct {
		name   string
		cfg    connectors.SourceConfig
		signAt time.Time
		edit   func(h http.Header)
		want   error
	}{
		{"valid", one, now, nil, nil},
		{"rotation", connectors.SourceConfig{Secrets: []string{"whsec_cm90YXRlZC1mb3JtYnJpY2tzLWtleS0yMDI1LTAz", whsec}}, now, nil, nil},
		{"wrong secret", connectors.SourceConfig{Secrets: []string{"whsec_cm90YXRlZC1mb3JtYnJpY2tzLWtleS0yMDI1LTAz"}}, now, nil, connectors.ErrSignatureInvalid},
		{"no secret", connectors.SourceConfig{}, now, nil, connectors.ErrSignatureInvalid},
		{"6m old", one, now.Add(-6 * time.Minute), nil, connectors.ErrTimestampStale},
		{"6m ahead", one, now.Add(6 * time.Minute), nil, connectors.ErrTimestampStale},
		{"custom tolerance", connectors.SourceConfig{Secrets: []string{whsec}, Tolerance: 10 * time.Minute}, now.Add(-6 * time.Minute), nil, nil},
		{"unsigned (no secret on the Formbricks webhook)", one, now, func(h http.Header) { h.Del(stdwebhook.SignatureHeader) }, connectors.ErrSignatureMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := connectortest.NewRequest(body)
			require.NoError(t, verifier(t, one).Sign(&req, tt.signAt))
			if tt.edit != nil {
				tt.edit(req.Header)
			}
			err := verifier(t, tt.cfg).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, "formbricks: verify")
		})
	}
}

func TestSign(t *testing.T) {
	d := verifier(t, connectors.SourceConfig{Secrets: []string{whsec}})
	req := connectors.Request{Header: http.Header{}, Body: []byte(`{}`)}
	req.Header.Set(stdwebhook.IDHeader, "msg.1")
	err := d.Sign(&req, connectortest.ReceivedAt())
	require.ErrorIs(t, err, connectors.ErrMalformed)
	assert.ErrorContains(t, err, "formbricks: sign")
	require.ErrorIs(t, verifier(t, connectors.SourceConfig{}).Sign(&connectors.Request{}, connectortest.ReceivedAt()), connectors.ErrSignatureInvalid)
}

// Formbricks saves a webhook only after its "Test Endpoint" ping got a 2xx,
// and that ping is unsigned (older versions) or signed with a secret the
// user has not been shown yet. The exact ping passes Verify and is ignored;
// anything else still needs a signature.
func TestVerifyTestPing(t *testing.T) {
	d := verifier(t, connectors.SourceConfig{Secrets: []string{whsec}})
	ping := connectortest.NewRequest([]byte(`{"event":"testEndpoint"}`))
	require.NoError(t, d.Verify(ping), "unsigned ping")
	other := verifier(t, connectors.SourceConfig{Secrets: []string{"whsec_cm90YXRlZC1mb3JtYnJpY2tzLWtleS0yMDI1LTAz"}})
	signed := connectortest.NewRequest([]byte(`{"event":"testEndpoint"}`))
	require.NoError(t, other.Sign(&signed, connectortest.ReceivedAt()))
	require.NoError(t, d.Verify(signed), "ping signed with a secret not configured yet")
	recs, err := d.Decode(t.Context(), ping)
	require.ErrorIs(t, err, connectors.ErrIgnored)
	assert.Empty(t, recs)

	for _, body := range []string{
		`{"event":"testEndpoint","data":{"id":"r","finished":true}}`,
		`[{"event":"testEndpoint"}]`,
		`{"event":"responseFinished"}`,
	} {
		err := d.Verify(connectortest.NewRequest([]byte(body)))
		require.ErrorIs(t, err, connectors.ErrSignatureMissing, body)
	}
}
