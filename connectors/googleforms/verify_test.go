package googleforms

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
)

const whsec = "whsec_Z29vZ2xlZm9ybXMtYXBwcy1zY3JpcHQtdGVzdC1rZXk="

func signer(t *testing.T, cfg connectors.SourceConfig) *decoder {
	t.Helper()
	cfg.Type = Type
	d, err := NewFactory().New(cfg, connectortest.Settings(Type))
	require.NoError(t, err)
	return d.(*decoder)
}

func TestVerify(t *testing.T) {
	now := connectortest.ReceivedAt()
	one := connectors.SourceConfig{Secrets: []string{whsec}}
	b := body(t, nil)
	tests := []struct {
		name   string
		cfg    connectors.SourceConfig
		signAt time.Time
		want   error
	}{
		{"valid", one, now, nil},
		{"rotation", connectors.SourceConfig{Secrets: []string{"whsec_Z29vZ2xlZm9ybXMtcm90YXRlZC1rZXktMjAyNS0wMw==", whsec}}, now, nil},
		{"wrong secret", connectors.SourceConfig{Secrets: []string{"whsec_Z29vZ2xlZm9ybXMtcm90YXRlZC1rZXktMjAyNS0wMw=="}}, now, connectors.ErrSignatureInvalid},
		{"no secret", connectors.SourceConfig{}, now, connectors.ErrSignatureInvalid},
		{"a retry 6m later with the old timestamp", one, now.Add(-6 * time.Minute), connectors.ErrTimestampStale},
		{"script clock 6m ahead", one, now.Add(6 * time.Minute), connectors.ErrTimestampStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := connectortest.NewRequest(b)
			require.NoError(t, signer(t, one).Sign(&req, tt.signAt))
			err := signer(t, tt.cfg).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, "googleforms: verify")
		})
	}
}

func TestSignUsesTheResponseID(t *testing.T) {
	d := signer(t, connectors.SourceConfig{Secrets: []string{whsec}})
	tests := []struct {
		name string
		body string
		want string
	}{
		{"response_id", `{"event_id":"e1","form_response":{"response_id":"2_ABa.x"}}`, "2_ABa_x"},
		{"event_id", `{"event_id":"e1","form_response":{}}`, "e1"},
		{"numeric ids are not ours", `{"event_id":7}`, stdwebhook.MessageID([]byte(`{"event_id":7}`))},
		{"not JSON", `garbage`, stdwebhook.MessageID([]byte(`garbage`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := connectors.Request{Body: []byte(tt.body)}
			require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
			assert.Equal(t, tt.want, req.Header.Get(stdwebhook.IDHeader))
			require.NoError(t, d.Verify(req))
		})
	}

	keep := connectors.Request{Header: http.Header{}, Body: body(t, nil)}
	keep.Header.Set(stdwebhook.IDHeader, "mine")
	require.NoError(t, d.Sign(&keep, connectortest.ReceivedAt()))
	assert.Equal(t, "mine", keep.Header.Get(stdwebhook.IDHeader))

	err := signer(t, connectors.SourceConfig{}).Sign(&connectors.Request{}, connectortest.ReceivedAt())
	require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
	assert.ErrorContains(t, err, "googleforms: sign")
}
