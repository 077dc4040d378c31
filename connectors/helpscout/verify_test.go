package helpscout

import (
	"crypto/sha1" //nolint:gosec // Help Scout's scheme.
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

func TestVerify(t *testing.T) {
	b := []byte(`{"id":1}`)
	good := sig.Base64(sig.MAC(sha1.New, []byte("s1"), b))
	tests := []struct {
		name    string
		secrets []string
		header  string
		want    error
	}{
		{"valid", []string{"s1"}, good, nil},
		{"surrounding space", []string{"s1"}, " " + good + " ", nil},
		{"rotation", []string{"s2", "s1"}, good, nil},
		{"wrong secret", []string{"s2"}, good, connectors.ErrSignatureInvalid},
		{"no secret", nil, good, connectors.ErrSignatureInvalid},
		{"hex", []string{"s1"}, sig.Hex(sig.MAC(sha1.New, []byte("s1"), b)), connectors.ErrSignatureInvalid},
		{"prefixed", []string{"s1"}, "sha1=" + good, connectors.ErrSignatureInvalid},
		{"missing", []string{"s1"}, "", connectors.ErrSignatureMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := connectortest.New(t, NewFactory(), tt.secrets...).(connectors.Verifier)
			req := connectortest.NewRequest(b)
			req.Header = http.Header{}
			if tt.header != "" {
				req.Header.Set(SignatureHeader, tt.header)
			}
			err := d.Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "helpscout: verify")
		})
	}
}

func TestSign(t *testing.T) {
	d := connectortest.New(t, NewFactory(), "s1", "s2").(connectors.Signer)
	req := connectors.Request{Body: []byte(`{}`)}
	require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
	assert.Equal(t, sig.Base64(sig.MAC(sha1.New, []byte("s1"), req.Body)), req.Header.Get(SignatureHeader))
	assert.Empty(t, req.Header.Get(EventHeader))
	require.ErrorIs(t, connectortest.New(t, NewFactory()).(connectors.Signer).Sign(&req, connectortest.ReceivedAt()), connectors.ErrSignatureInvalid)
}
