package delighted

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

func TestVerify(t *testing.T) {
	b := []byte(`{"event_type":"survey_response.created"}`)
	signed := connectortest.NewRequest(b)
	require.NoError(t, connectortest.New(t, NewFactory(), "key1").(connectors.Signer).Sign(&signed, connectortest.ReceivedAt()))
	good := signed.Header.Get(SignatureHeader)
	require.Regexp(t, `^sha256=[0-9a-f]{64}$`, good)

	tests := []struct {
		name    string
		secrets []string
		header  string
		want    error
	}{
		{"valid", []string{"key1"}, good, nil},
		{"upper-case hex", []string{"key1"}, "sha256=" + strings.ToUpper(good[7:]), nil},
		{"rotation", []string{"key2", "key1"}, good, nil},
		{"wrong secret", []string{"key2"}, good, connectors.ErrSignatureInvalid},
		{"missing", []string{"key1"}, "", connectors.ErrSignatureMissing},
		{"no prefix", []string{"key1"}, good[7:], connectors.ErrSignatureInvalid},
		{"prefix only", []string{"key1"}, "sha256=", connectors.ErrSignatureInvalid},
		{"no secret", nil, good, connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := connectortest.NewRequest(b)
			if tt.header != "" {
				req.Header.Set(SignatureHeader, tt.header)
			}
			err := connectortest.New(t, NewFactory(), tt.secrets...).(connectors.Verifier).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, "delighted: verify")
		})
	}
}
