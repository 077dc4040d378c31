package surveymonkey

import (
	"crypto/sha1" //nolint:gosec // the vendor's algorithm
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

func verifier(t *testing.T, secrets ...string) connectors.Verifier {
	t.Helper()
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: secrets}, connectors.Settings{})
	require.NoError(t, err)
	return d.(connectors.Verifier)
}

func TestVerify(t *testing.T) {
	b := []byte(`{"event_type":"response_completed","object_id":"1"}`)
	const key = "client-1&secret-1"
	valid := sig.Base64(sig.MAC(sha1.New, []byte(key), b))

	tests := []struct {
		name    string
		secrets []string
		headers map[string]string
		body    []byte
		want    error
	}{
		{"valid", []string{key}, map[string]string{SignatureHeader: valid}, b, nil},
		{"padded header", []string{key}, map[string]string{SignatureHeader: " " + valid + " "}, b, nil},
		{"rotation", []string{"client-2&secret-2", key}, map[string]string{SignatureHeader: valid}, b, nil},
		{"wrong secret", []string{"client-1&secret-2"}, map[string]string{SignatureHeader: valid}, b, connectors.ErrSignatureInvalid},
		{"no secret", nil, map[string]string{SignatureHeader: valid}, b, connectors.ErrSignatureInvalid},
		{"tampered", []string{key}, map[string]string{SignatureHeader: valid}, append([]byte(nil), append(b, ' ')...), connectors.ErrSignatureInvalid},
		{"missing", []string{key}, map[string]string{APIKeyHeader: "client-1"}, b, connectors.ErrSignatureMissing},
		{"api key ignored", []string{key}, map[string]string{SignatureHeader: valid, APIKeyHeader: "someone-else"}, b, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := connectortest.NewRequest(tt.body)
			req.Header = http.Header{}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			err := verifier(t, tt.secrets...).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "surveymonkey: verify")
		})
	}
}

func TestSignSetsHeaders(t *testing.T) {
	b := []byte(`{}`)
	req := connectors.Request{Body: b}
	require.NoError(t, verifier(t, "client-1&secret-1").(connectors.Signer).Sign(&req, time.Time{}))
	assert.Equal(t, sig.Base64(sig.MAC(sha1.New, []byte("client-1&secret-1"), b)), req.Header.Get(SignatureHeader))
	assert.Equal(t, "client-1", req.Header.Get(APIKeyHeader))

	req = connectors.Request{Body: b}
	require.NoError(t, verifier(t, "no-ampersand").(connectors.Signer).Sign(&req, time.Time{}))
	assert.NotEmpty(t, req.Header.Get(SignatureHeader))
	assert.Empty(t, req.Header.Get(APIKeyHeader), "no client id to send")

	err := verifier(t).(connectors.Signer).Sign(&connectors.Request{}, time.Time{})
	require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
}
