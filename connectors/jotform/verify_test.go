package jotform

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

func TestVerify(t *testing.T) {
	secrets := []string{"old-token", "new-token"}
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name    string
		secrets []string
		uri     string
		header  http.Header
		want    error
	}{
		{"query token (how Jotform sends it)", secrets, "/v1/webhooks/jotform?token=new-token", nil, nil},
		{"query token among other parameters", secrets, "/v1/webhooks/jotform?form=1&token=old-token", nil, nil},
		{"X-Corridor-Token", secrets, "/v1/webhooks/jotform", http.Header{"X-Corridor-Token": {"old-token"}}, nil},
		{"bearer", secrets, "/", http.Header{"Authorization": {"Bearer new-token"}}, nil},
		{"basic", secrets, "/", http.Header{"Authorization": {basic("jotform:new-token")}}, nil},
		{"wrong query token", secrets, "/v1/webhooks/jotform?token=nope", nil, connectors.ErrSignatureInvalid},
		{"empty query token", secrets, "/v1/webhooks/jotform?token=", nil, connectors.ErrSignatureMissing},
		{"no token", secrets, "/v1/webhooks/jotform", nil, connectors.ErrSignatureMissing},
		{"no secret configured", nil, "/v1/webhooks/jotform?token=new-token", nil, connectors.ErrSignatureInvalid},
	}
	encodings := []struct {
		name  string
		build func(map[string]string) connectors.Request
	}{{"multipart", multipartRequest}, {"urlencoded", formRequest}}
	for _, tt := range tests {
		for _, enc := range encodings {
			t.Run(tt.name+"/"+enc.name, func(t *testing.T) {
				req := enc.build(fields("{}"))
				req.URI = tt.uri
				for k, v := range tt.header {
					req.Header[k] = v
				}
				err := newTestDecoder(t, nil, tt.secrets...).(connectors.Verifier).Verify(req)
				if tt.want == nil {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, tt.want)
				connectortest.RequireSentinel(t, err)
				assert.ErrorContains(t, err, "jotform: verify")
			})
		}
	}
}

// A token in the body is not a token: only the URL and headers count, so a
// form field named token authenticates nothing.
func TestVerifyIgnoresBodyToken(t *testing.T) {
	parts := fields("{}")
	parts["token"] = "old-token"
	req := formRequest(parts)
	req.URI = "/v1/webhooks/jotform"
	err := newTestDecoder(t, nil, "old-token").(connectors.Verifier).Verify(req)
	require.ErrorIs(t, err, connectors.ErrSignatureMissing)
}

func TestSign(t *testing.T) {
	d := newTestDecoder(t, nil, "first", "second")
	req := connectors.Request{}
	require.NoError(t, d.(connectors.Signer).Sign(&req, connectortest.ReceivedAt()))
	assert.Equal(t, "first", req.Header.Get("X-Corridor-Token"), "the first secret signs")
	require.NoError(t, d.(connectors.Verifier).Verify(req))
}
