package zendesk

import (
	"crypto/sha256"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

func verifier(t *testing.T, cfg connectors.SourceConfig, now time.Time) connectors.Verifier {
	t.Helper()
	cfg.Type = Type
	d, err := NewFactory().New(cfg, connectors.Settings{Now: func() time.Time { return now }})
	require.NoError(t, err)
	return d.(connectors.Verifier)
}

func TestVerify(t *testing.T) {
	b := []byte(`{"type":"zen:event-type:ticket.created"}`)
	now := connectortest.ReceivedAt()
	one := connectors.SourceConfig{Secrets: []string{"s1"}}

	sign := func(t *testing.T, at time.Time) connectors.Request {
		req := connectortest.NewRequest(b)
		require.NoError(t, verifier(t, one, now).(connectors.Signer).Sign(&req, at))
		return req
	}

	tests := []struct {
		name   string
		cfg    connectors.SourceConfig
		signAt time.Time
		edit   func(h http.Header)
		want   error
	}{
		{"valid", one, now, nil, nil},
		{"rotation", connectors.SourceConfig{Secrets: []string{"s2", "s1"}}, now, nil, nil},
		{"wrong secret", connectors.SourceConfig{Secrets: []string{"s2"}}, now, nil, connectors.ErrSignatureInvalid},
		{"no secret", connectors.SourceConfig{}, now, nil, connectors.ErrSignatureInvalid},
		{"4m59s old", one, now.Add(-4*time.Minute - 59*time.Second), nil, nil},
		{"5m01s old", one, now.Add(-5*time.Minute - time.Second), nil, connectors.ErrTimestampStale},
		{"5m01s ahead", one, now.Add(5*time.Minute + time.Second), nil, connectors.ErrTimestampStale},
		{"custom tolerance", connectors.SourceConfig{Secrets: []string{"s1"}, Tolerance: time.Hour}, now.Add(-30 * time.Minute), nil, nil},
		{"missing signature", one, now, func(h http.Header) { h.Del(SignatureHeader) }, connectors.ErrSignatureMissing},
		{"missing timestamp", one, now, func(h http.Header) { h.Del(TimestampHeader) }, connectors.ErrSignatureMissing},
		{"replayed with a fresh timestamp", one, now.Add(-time.Hour), func(h http.Header) { h.Set(TimestampHeader, now.Format(time.RFC3339)) }, connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := sign(t, tt.signAt)
			if tt.edit != nil {
				tt.edit(req.Header)
			}
			err := verifier(t, tt.cfg, now).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "zendesk: verify")
		})
	}
}

func TestVerifyMalformedTimestamp(t *testing.T) {
	// A correctly signed but unparsable timestamp is refused as invalid.
	b := []byte(`{}`)
	req := connectortest.NewRequest(b)
	d := connectortest.New(t, NewFactory(), "s1").(*decoder)
	req.Header.Set(TimestampHeader, "last tuesday")
	req.Header.Set(SignatureHeader, signature(d.keys[0], "last tuesday", b))
	err := d.Verify(req)
	require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
	assert.ErrorContains(t, err, "ISO 8601")
}

func TestSignSetsHeaders(t *testing.T) {
	req := connectors.Request{Body: []byte(`{}`)}
	d := connectortest.New(t, NewFactory(), "s1").(connectors.Signer)
	require.NoError(t, d.Sign(&req, time.Date(2025, 3, 2, 11, 5, 0, 0, time.FixedZone("CET", 3600))))
	assert.Equal(t, "2025-03-02T10:05:00Z", req.Header.Get(TimestampHeader))
	assert.NotEmpty(t, req.Header.Get(SignatureHeader))
}

func signature(key []byte, ts string, body []byte) string {
	return sig.Base64(sig.MAC(sha256.New, key, []byte(ts), body))
}
