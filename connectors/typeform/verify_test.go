package typeform

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

func verifier(t *testing.T, secrets ...string) *decoder {
	t.Helper()
	return connectortest.New(t, NewFactory(), secrets...).(*decoder)
}

func TestVerify(t *testing.T) {
	b := []byte(`{"event_type":"form_response"}`)
	signed := connectortest.NewRequest(b)
	require.NoError(t, verifier(t, "s1").Sign(&signed, connectortest.ReceivedAt()))
	good := signed.Header.Get(SignatureHeader)
	require.Contains(t, good, "sha256=")

	tests := []struct {
		name    string
		secrets []string
		header  string
		want    error
	}{
		{"valid", []string{"s1"}, good, nil},
		{"rotation: old secret second", []string{"s2", "s1"}, good, nil},
		{"rotation: old secret first", []string{"s1", "s2"}, good, nil},
		{"wrong secret", []string{"s2"}, good, connectors.ErrSignatureInvalid},
		{"missing", []string{"s1"}, "", connectors.ErrSignatureMissing},
		{"whitespace only", []string{"s1"}, "   ", connectors.ErrSignatureMissing},
		{"no prefix", []string{"s1"}, good[len("sha256="):], connectors.ErrSignatureInvalid},
		{"sha1 prefix", []string{"s1"}, "sha1=" + good[len("sha256="):], connectors.ErrSignatureInvalid},
		{"truncated", []string{"s1"}, good[:len(good)-2], connectors.ErrSignatureInvalid},
		{"no secret configured", nil, good, connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := connectortest.NewRequest(b)
			if tt.header != "" {
				req.Header.Set(SignatureHeader, tt.header)
			}
			err := verifier(t, tt.secrets...).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "typeform: verify")
		})
	}
}

func TestSign(t *testing.T) {
	req := connectors.Request{Body: []byte(`{}`)}
	require.NoError(t, verifier(t, "first", "second").Sign(&req, connectortest.ReceivedAt()))
	assert.NotEmpty(t, req.Header.Get(SignatureHeader))
	require.NoError(t, verifier(t, "first").Verify(req), "signs with the first secret")
	require.ErrorIs(t, verifier(t, "second").Verify(req), connectors.ErrSignatureInvalid)

	err := verifier(t).Sign(&connectors.Request{Header: http.Header{}}, connectortest.ReceivedAt())
	require.ErrorIs(t, err, connectors.ErrUnauthorized, "no secret to sign with")
}
