package freshdesk

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
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	tests := []struct {
		name    string
		secrets []string
		header  http.Header
		uri     string
		want    error
	}{
		{"token header", []string{"s1"}, http.Header{"X-Corridor-Token": {"s1"}}, "", nil},
		{"basic password", []string{"s1"}, http.Header{"Authorization": {basic("freshdesk", "s1")}}, "", nil},
		{"bearer", []string{"s1"}, http.Header{"Authorization": {"Bearer s1"}}, "", nil},
		{"query token", []string{"s1"}, http.Header{}, "/v1/webhooks/freshdesk?token=s1&event=reply_added", nil},
		{"rotation", []string{"s2", "s1"}, http.Header{"X-Corridor-Token": {"s1"}}, "", nil},
		{"one good candidate is enough", []string{"s1"}, http.Header{"X-Corridor-Token": {"bad"}, "Authorization": {"Bearer s1"}}, "", nil},
		{"wrong token", []string{"s1"}, http.Header{"X-Corridor-Token": {"s2"}}, "", connectors.ErrSignatureInvalid},
		{"wrong basic", []string{"s1"}, http.Header{"Authorization": {basic("freshdesk", "s2")}}, "", connectors.ErrSignatureInvalid},
		{"wrong query token", []string{"s1"}, http.Header{}, "/x?token=s2", connectors.ErrSignatureInvalid},
		{"prefix of the secret", []string{"s1-long"}, http.Header{"X-Corridor-Token": {"s1"}}, "", connectors.ErrSignatureInvalid},
		{"no secret configured", nil, http.Header{"X-Corridor-Token": {"s1"}}, "", connectors.ErrSignatureInvalid},
		{"missing", []string{"s1"}, http.Header{}, "", connectors.ErrSignatureMissing},
		{"nil header", []string{"s1"}, nil, "", connectors.ErrSignatureMissing},
		{"basic not base64", []string{"s1"}, http.Header{"Authorization": {"Basic %%%"}}, "", connectors.ErrSignatureMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := connectortest.New(t, NewFactory(), tt.secrets...).(connectors.Verifier)
			req := connectortest.NewRequest([]byte(`{}`))
			req.Header = tt.header
			req.URI = tt.uri
			err := d.Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "freshdesk: verify")
		})
	}
}

func TestSign(t *testing.T) {
	d := connectortest.New(t, NewFactory(), "s1", "s2").(connectors.Signer)
	req := connectors.Request{Body: []byte(`{}`)}
	require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
	assert.Equal(t, "s1", req.Header.Get("X-Corridor-Token"), "the first secret signs")

	none := connectortest.New(t, NewFactory()).(connectors.Signer)
	err := none.Sign(&req, connectortest.ReceivedAt())
	require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
	assert.ErrorContains(t, err, "no secret configured")
}
