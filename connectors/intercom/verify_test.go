package intercom

import (
	"crypto/sha1" //nolint:gosec // Intercom's scheme.
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

func TestVerify(t *testing.T) {
	b := []byte(`{"topic":"conversation.user.created"}`)
	good := "sha1=" + sig.Hex(sig.MAC(sha1.New, []byte("s1"), b))
	tests := []struct {
		name    string
		secrets []string
		header  string
		want    error
	}{
		{"valid", []string{"s1"}, good, nil},
		{"upper-case prefix and hex", []string{"s1"}, "SHA1=" + strings.ToUpper(strings.TrimPrefix(good, "sha1=")), nil},
		{"surrounding space", []string{"s1"}, "  " + good + " ", nil},
		{"rotation", []string{"s2", "s1"}, good, nil},
		{"wrong secret", []string{"s2"}, good, connectors.ErrSignatureInvalid},
		{"no secret", nil, good, connectors.ErrSignatureInvalid},
		{"no prefix", []string{"s1"}, strings.TrimPrefix(good, "sha1="), connectors.ErrSignatureInvalid},
		{"other algorithm", []string{"s1"}, "sha256=" + strings.TrimPrefix(good, "sha1="), connectors.ErrSignatureInvalid},
		{"empty digest", []string{"s1"}, "sha1=", connectors.ErrSignatureInvalid},
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
			assert.ErrorContains(t, err, "intercom: verify")
		})
	}
}

func TestSign(t *testing.T) {
	d := connectortest.New(t, NewFactory(), "s1", "s2").(connectors.Signer)
	req := connectors.Request{Body: []byte(`{}`)}
	require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
	assert.Equal(t, "sha1="+sig.Hex(sig.MAC(sha1.New, []byte("s1"), req.Body)), req.Header.Get(SignatureHeader))
	require.ErrorIs(t, connectortest.New(t, NewFactory()).(connectors.Signer).Sign(&req, connectortest.ReceivedAt()), connectors.ErrSignatureInvalid)
}
