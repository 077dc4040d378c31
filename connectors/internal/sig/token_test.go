package sig

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/corridorhq/corridor/connectors"
)

func TestToken(t *testing.T) {
	secrets := []string{"old-secret", "new-secret"}
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name   string
		header http.Header
		uri    string
		want   error
	}{
		{"bearer", http.Header{"Authorization": {"Bearer new-secret"}}, "/", nil},
		{"basic password", http.Header{"Authorization": {basic("freshdesk:old-secret")}}, "/", nil},
		{"basic user:pass secret", http.Header{"Authorization": {basic("old-secret")}}, "/", nil},
		{"header", http.Header{TokenHeader: {"new-secret"}}, "/", nil},
		{"query", http.Header{}, "/v1/webhooks/jotform?token=old-secret", nil},
		{"missing", http.Header{}, "/v1/webhooks/jotform", connectors.ErrSignatureMissing},
		{"wrong", http.Header{"Authorization": {"Bearer nope"}}, "/", connectors.ErrSignatureInvalid},
		{"wrong query", http.Header{}, "/x?token=nope", connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Token(connectors.Request{Header: tt.header, URI: tt.uri}, secrets)
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
	h := http.Header{}
	SetToken(h, secrets)
	assert.NoError(t, Token(connectors.Request{Header: h}, secrets))
}
