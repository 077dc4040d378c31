package generic

import (
	"crypto/sha256"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

const whsec = "whsec_Y29ycmlkb3ItdmVyaWZ5LXRlc3Qta2V5" // "corridor-verify-test-key" (24 bytes), base64

func newVerifier(t *testing.T, cfg connectors.SourceConfig) *decoder {
	t.Helper()
	cfg.Type = Type
	d, err := NewFactory().New(cfg, connectortest.Settings(Type))
	require.NoError(t, err)
	return d.(*decoder)
}

func TestKey(t *testing.T) {
	k, err := Key(whsec)
	require.NoError(t, err)
	assert.Len(t, k, 24)
	k, err = Key("plain-secret")
	require.NoError(t, err)
	assert.Equal(t, []byte("plain-secret"), k)
	_, err = Key("whsec_not base64!")
	require.Error(t, err)
	_, err = Key("whsec_")
	require.Error(t, err)

	_, err = NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: []string{"whsec_%%%"}}, connectors.Settings{})
	require.ErrorContains(t, err, "secrets[0]")
}

func TestVerify(t *testing.T) {
	now := connectortest.ReceivedAt()
	b := []byte(`{"text":"ok"}`)
	one := connectors.SourceConfig{Secrets: []string{whsec}}
	signed := func(t *testing.T, at time.Time) connectors.Request {
		req := connectortest.NewRequest(b)
		require.NoError(t, newVerifier(t, one).Sign(&req, at))
		return req
	}

	tests := []struct {
		name   string
		cfg    connectors.SourceConfig
		signAt time.Time
		edit   func(h http.Header)
		want   error
	}{
		{"valid", one, now, nil, nil},
		{"rotation", connectors.SourceConfig{Secrets: []string{"whsec_bmV3LWtleS1uZXcta2V5LW5ldy1rZXk=", whsec}}, now, nil, nil},
		{"wrong secret", connectors.SourceConfig{Secrets: []string{"whsec_bmV3LWtleS1uZXcta2V5LW5ldy1rZXk="}}, now, nil, connectors.ErrSignatureInvalid},
		{"no secret", connectors.SourceConfig{}, now, nil, connectors.ErrSignatureInvalid},
		{"two signatures, valid last", one, now, func(h http.Header) {
			h.Set(SignatureHeader, "v1,AAAA v1a,BBBB "+h.Get(SignatureHeader))
		}, nil},
		{"4m old", one, now.Add(-4 * time.Minute), nil, nil},
		{"6m old", one, now.Add(-6 * time.Minute), nil, connectors.ErrTimestampStale},
		{"6m ahead", one, now.Add(6 * time.Minute), nil, connectors.ErrTimestampStale},
		{"wider tolerance", connectors.SourceConfig{Secrets: []string{whsec}, Tolerance: 10 * time.Minute}, now.Add(-6 * time.Minute), nil, nil},
		{"no signature", one, now, func(h http.Header) { h.Del(SignatureHeader) }, connectors.ErrSignatureMissing},
		{"blank signature", one, now, func(h http.Header) { h.Set(SignatureHeader, "  ") }, connectors.ErrSignatureMissing},
		{"no id", one, now, func(h http.Header) { h.Del(IDHeader) }, connectors.ErrSignatureMissing},
		{"no timestamp", one, now, func(h http.Header) { h.Del(TimestampHeader) }, connectors.ErrSignatureMissing},
		{"other id", one, now, func(h http.Header) { h.Set(IDHeader, "msg_other") }, connectors.ErrSignatureInvalid},
		{"timestamp moved", one, now, func(h http.Header) { h.Set(TimestampHeader, strconv.FormatInt(now.Unix()+1, 10)) }, connectors.ErrSignatureInvalid},
		{"unknown version only", one, now, func(h http.Header) { h.Set(SignatureHeader, "v2,"+h.Get(SignatureHeader)[3:]) }, connectors.ErrSignatureInvalid},
		{"no comma", one, now, func(h http.Header) { h.Set(SignatureHeader, h.Get(SignatureHeader)[3:]) }, connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signed(t, tt.signAt)
			if tt.edit != nil {
				tt.edit(req.Header)
			}
			err := newVerifier(t, tt.cfg).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "generic: verify")
		})
	}
}

func TestVerifyBadTimestampIsInvalid(t *testing.T) {
	d := newVerifier(t, connectors.SourceConfig{Secrets: []string{whsec}})
	req := connectortest.NewRequest([]byte(`{}`))
	req.Header.Set(IDHeader, "msg_1")
	req.Header.Set(TimestampHeader, "soon")
	// A correct signature over a non-integer timestamp.
	req.Header.Set(SignatureHeader, "v1,"+signature(d.keys[0], "msg_1", "soon", req.Body))
	err := d.Verify(req)
	require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
	assert.ErrorContains(t, err, "Unix seconds")
}

func TestSign(t *testing.T) {
	d := newVerifier(t, connectors.SourceConfig{Secrets: []string{whsec}})
	req := connectors.Request{Body: []byte(`{"text":"ok"}`)}
	require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
	assert.Regexp(t, `^msg_[0-9a-f]{32}$`, req.Header.Get(IDHeader))
	assert.Equal(t, "1740909900", req.Header.Get(TimestampHeader))
	assert.Regexp(t, `^v1,[A-Za-z0-9+/]+=*$`, req.Header.Get(SignatureHeader))

	again := connectors.Request{Body: []byte(`{"text":"ok"}`)}
	require.NoError(t, d.Sign(&again, connectortest.ReceivedAt().Add(time.Hour)))
	assert.Equal(t, req.Header.Get(IDHeader), again.Header.Get(IDHeader), "same body, same webhook-id")

	keep := connectors.Request{Header: http.Header{}, Body: []byte(`{}`)}
	keep.Header.Set(IDHeader, "msg_mine")
	require.NoError(t, d.Sign(&keep, connectortest.ReceivedAt()))
	assert.Equal(t, "msg_mine", keep.Header.Get(IDHeader))

	dotted := connectors.Request{Header: http.Header{}, Body: []byte(`{}`)}
	dotted.Header.Set(IDHeader, "msg.1")
	require.Error(t, d.Sign(&dotted, connectortest.ReceivedAt()))
}

func signature(key []byte, id, ts string, body []byte) string {
	return sig.Base64(sig.MAC(sha256.New, key, []byte(id+"."+ts+"."), body))
}
