package front

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

func newDecoderAt(t *testing.T, secrets []string, now time.Time) *decoder {
	t.Helper()
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: secrets}, connectors.Settings{Now: func() time.Time { return now }})
	require.NoError(t, err)
	return d.(*decoder)
}

func TestVerify(t *testing.T) {
	b := []byte(`{"type":"inbound_received"}`)
	now := connectortest.ReceivedAt()
	sign := func(t *testing.T, at time.Time) connectors.Request {
		req := connectortest.NewRequest(b)
		require.NoError(t, newDecoderAt(t, []string{"s1"}, now).Sign(&req, at))
		return req
	}
	tests := []struct {
		name    string
		secrets []string
		signAt  time.Time
		edit    func(h http.Header)
		want    error
	}{
		{"valid", []string{"s1"}, now, nil, nil},
		{"rotation", []string{"s2", "s1"}, now, nil, nil},
		{"wrong secret", []string{"s2"}, now, nil, connectors.ErrSignatureInvalid},
		{"no secret", nil, now, nil, connectors.ErrSignatureInvalid},
		{"4m59s old", []string{"s1"}, now.Add(-4*time.Minute - 59*time.Second), nil, nil},
		{"5m01s old", []string{"s1"}, now.Add(-5*time.Minute - time.Second), nil, connectors.ErrTimestampStale},
		{"5m01s ahead", []string{"s1"}, now.Add(5*time.Minute + time.Second), nil, connectors.ErrTimestampStale},
		{"missing signature", []string{"s1"}, now, func(h http.Header) { h.Del(SignatureHeader) }, connectors.ErrSignatureMissing},
		{"missing timestamp", []string{"s1"}, now, func(h http.Header) { h.Del(TimestampHeader) }, connectors.ErrSignatureMissing},
		{"replayed with a fresh timestamp", []string{"s1"}, now.Add(-time.Hour), func(h http.Header) { h.Set(TimestampHeader, "1740909900000") }, connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := sign(t, tt.signAt)
			if tt.edit != nil {
				tt.edit(req.Header)
			}
			err := newDecoderAt(t, tt.secrets, now).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "front: verify")
		})
	}
}

func TestVerifyMalformedTimestamp(t *testing.T) {
	// Correctly signed, but the timestamp is not milliseconds.
	b := []byte(`{}`)
	req := connectortest.NewRequest(b)
	req.Header.Set(TimestampHeader, "soon")
	req.Header.Set(SignatureHeader, sig.Base64(sig.MAC(sha256.New, []byte("s1"), []byte("soon:"), b)))
	err := newDecoderAt(t, []string{"s1"}, connectortest.ReceivedAt()).Verify(req)
	require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
	assert.ErrorContains(t, err, "not Unix milliseconds")
}

func TestHandshake(t *testing.T) {
	now := connectortest.ReceivedAt()
	syncBody := []byte(`{"type":"sync","authorization":{"id":"cmp_abc"}}`)
	challengeReq := func(t *testing.T, challenge string) connectors.Request {
		req := connectortest.NewRequest(syncBody)
		require.NoError(t, newDecoderAt(t, []string{"test-secret"}, now).Sign(&req, now.Add(-2*time.Second)))
		req.Header.Set(ChallengeHeader, challenge)
		return req
	}

	t.Run("answers a signed challenge", func(t *testing.T) {
		// Headers and signature as in testdata/signatures.json (openssl).
		req := connectortest.NewRequest(syncBody)
		req.Header.Set(TimestampHeader, "1740909898000")
		req.Header.Set(SignatureHeader, "4XCTT4PSAIw6EJ125GFFYWis16IXv9Az6L/9YVQOvd4=")
		req.Header.Set(ChallengeHeader, "kD8s2LmQ")
		resp, ok, err := newDecoderAt(t, []string{"test-secret"}, now).Handshake(req)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, http.StatusOK, resp.Status)
		assert.Equal(t, "application/json", resp.ContentType)
		assert.JSONEq(t, `{"challenge":"kD8s2LmQ"}`, string(resp.Body))
		assert.Equal(t, "kD8s2LmQ", resp.Header.Get(ChallengeHeader))
	})
	t.Run("ordinary request", func(t *testing.T) {
		req := connectortest.NewRequest(syncBody)
		_, ok, err := newDecoderAt(t, []string{"test-secret"}, now).Handshake(req)
		require.NoError(t, err)
		assert.False(t, ok)
		req.Header = nil
		_, ok, err = newDecoderAt(t, []string{"test-secret"}, now).Handshake(req)
		require.NoError(t, err)
		assert.False(t, ok, "nil header")
	})
	t.Run("unsigned challenge", func(t *testing.T) {
		req := connectortest.NewRequest(syncBody)
		req.Header.Set(ChallengeHeader, "abc")
		_, ok, err := newDecoderAt(t, []string{"test-secret"}, now).Handshake(req)
		assert.True(t, ok)
		require.ErrorIs(t, err, connectors.ErrSignatureMissing)
	})
	t.Run("wrong key", func(t *testing.T) {
		_, ok, err := newDecoderAt(t, []string{"other"}, now).Handshake(challengeReq(t, "abc"))
		assert.True(t, ok)
		require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
	})
	t.Run("no secret configured", func(t *testing.T) {
		_, ok, err := newDecoderAt(t, nil, now).Handshake(challengeReq(t, "abc"))
		assert.True(t, ok)
		require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
	})
	t.Run("stale", func(t *testing.T) {
		_, ok, err := newDecoderAt(t, []string{"test-secret"}, now.Add(time.Hour)).Handshake(challengeReq(t, "abc"))
		assert.True(t, ok)
		require.ErrorIs(t, err, connectors.ErrTimestampStale)
	})
	for name, challenge := range map[string]string{"too long": strings.Repeat("a", maxChallengeLen+1), "control characters": "a\x01b", "space": "a b"} {
		t.Run(name, func(t *testing.T) {
			_, ok, err := newDecoderAt(t, []string{"test-secret"}, now).Handshake(challengeReq(t, challenge))
			assert.True(t, ok)
			require.ErrorIs(t, err, connectors.ErrMalformed)
			connectortest.RequireSentinel(t, err)
		})
	}
	t.Run("JSON-escapes the challenge", func(t *testing.T) {
		resp, ok, err := newDecoderAt(t, []string{"test-secret"}, now).Handshake(challengeReq(t, `a"b\c<`))
		require.NoError(t, err)
		require.True(t, ok)
		var got struct{ Challenge string }
		require.NoError(t, json.Unmarshal(resp.Body, &got))
		assert.Equal(t, `a"b\c<`, got.Challenge)
	})
}

func TestSignSetsHeaders(t *testing.T) {
	req := connectors.Request{Body: []byte(`{}`)}
	d := connectortest.New(t, NewFactory(), "s1").(connectors.Signer)
	require.NoError(t, d.Sign(&req, time.Date(2025, 3, 2, 11, 5, 0, 0, time.FixedZone("CET", 3600))))
	assert.Equal(t, "1740909900000", req.Header.Get(TimestampHeader))
	assert.NotEmpty(t, req.Header.Get(SignatureHeader))
}
