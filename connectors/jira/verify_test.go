package jira

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

func TestVerify(t *testing.T) {
	b := []byte(`{"webhookEvent":"jira:issue_created"}`)
	signed := connectortest.NewRequest(b)
	require.NoError(t, connectortest.New(t, NewFactory(), "s1").(connectors.Signer).Sign(&signed, time.Time{}))

	tests := []struct {
		name    string
		secrets []string
		header  func(h http.Header)
		want    error
	}{
		{"valid", []string{"s1"}, nil, nil},
		{"rotation", []string{"s2", "s1"}, nil, nil},
		{"wrong secret", []string{"s2"}, nil, connectors.ErrSignatureInvalid},
		{"no secret", nil, nil, connectors.ErrSignatureInvalid},
		{"missing", []string{"s1"}, func(h http.Header) { h.Del(SignatureHeader) }, connectors.ErrSignatureMissing},
		{"blank", []string{"s1"}, func(h http.Header) { h.Set(SignatureHeader, "  ") }, connectors.ErrSignatureMissing},
		{"no prefix", []string{"s1"}, func(h http.Header) { h.Set(SignatureHeader, h.Get(SignatureHeader)[len("sha256="):]) }, connectors.ErrSignatureInvalid},
		{"sha1 prefix", []string{"s1"}, func(h http.Header) { h.Set(SignatureHeader, "sha1="+h.Get(SignatureHeader)[len("sha256="):]) }, connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signed
			req.Header = signed.Header.Clone()
			if tt.header != nil {
				tt.header(req.Header)
			}
			v := connectortest.New(t, NewFactory(), tt.secrets...).(connectors.Verifier)
			err := v.Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "jira: verify")
		})
	}
	err := connectortest.New(t, NewFactory(), "s1").(connectors.Verifier).Verify(connectortest.NewRequest(b))
	assert.ErrorContains(t, err, "set a secret on the Jira webhook", "the error tells the admin what to do")
}

func TestSignSetsHeader(t *testing.T) {
	req := connectors.Request{Body: []byte(`{}`)}
	require.NoError(t, connectortest.New(t, NewFactory(), "s1").(connectors.Signer).Sign(&req, time.Time{}))
	assert.Regexp(t, `^sha256=[0-9a-f]{64}$`, req.Header.Get(SignatureHeader))
}
