package stdwebhook

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
)

const (
	// whsec is "corridor-stdwebhook-test-key-32b" (32 bytes), base64.
	whsec = "whsec_Y29ycmlkb3Itc3Rkd2ViaG9vay10ZXN0LWtleS0zMmI="
	other = "whsec_bmV3LWtleS1uZXcta2V5LW5ldy1rZXk="
)

var now = time.Date(2025, 3, 2, 10, 5, 0, 0, time.UTC) // 1740909900

func verifier(t *testing.T, tol time.Duration, secrets ...string) Verifier {
	t.Helper()
	keys, err := Keys(secrets)
	require.NoError(t, err)
	return Verifier{Keys: keys, Tolerance: tol, Now: func() time.Time { return now }}
}

func TestKey(t *testing.T) {
	k, err := Key(whsec)
	require.NoError(t, err)
	assert.Equal(t, []byte("corridor-stdwebhook-test-key-32b"), k)

	k, err = Key("plain-secret")
	require.NoError(t, err)
	assert.Equal(t, []byte("plain-secret"), k, "a secret without whsec_ is raw bytes")

	for _, bad := range []string{"whsec_not base64!", "whsec_", "whsec_%%%"} {
		_, err := Key(bad)
		assert.Error(t, err, bad)
	}

	_, err = Keys([]string{whsec, "whsec_%%%", "ok", "whsec_"})
	require.Error(t, err)
	assert.ErrorContains(t, err, "secrets[1]")
	assert.ErrorContains(t, err, "secrets[3]")
	assert.NotContains(t, err.Error(), "secrets[0]")
}

func TestNew(t *testing.T) {
	clock := func() time.Time { return now }
	v, err := New(connectors.SourceConfig{Secrets: []string{whsec}}, connectors.Settings{Now: clock})
	require.NoError(t, err)
	assert.Equal(t, connectors.DefaultTolerance, v.Tolerance)
	assert.Len(t, v.Keys, 1)
	assert.Equal(t, now, v.Now())

	_, err = New(connectors.SourceConfig{Secrets: []string{"whsec_%%%"}}, connectors.Settings{})
	require.ErrorContains(t, err, "secrets[0]")
}

// TestSignatureVector checks Signature against a value computed with
// openssl dgst -sha256 -mac HMAC, independently of this code.
func TestSignatureVector(t *testing.T) {
	k, err := Key(whsec)
	require.NoError(t, err)
	got := Signature(k, "msg_2tRnGf1q9ZbV8cW3", "1740909898", []byte(`{"text":"Checkout was slow"}`))
	assert.Equal(t, "v1,vmaCpDFkb5FAdV86toXpqgtnB41oB/mHngJNPcABwzA=", got)

	req := connectors.Request{Header: http.Header{}, Body: []byte(`{"text":"Checkout was slow"}`)}
	req.Header.Set(IDHeader, "msg_2tRnGf1q9ZbV8cW3")
	req.Header.Set(TimestampHeader, "1740909898")
	req.Header.Set(SignatureHeader, got)
	assert.NoError(t, verifier(t, 0, whsec).Verify(req))
}

func TestVerify(t *testing.T) {
	body := []byte(`{"text":"ok"}`)
	signed := func(t *testing.T, at time.Time) connectors.Request {
		req := connectors.Request{Body: body}
		require.NoError(t, verifier(t, 0, whsec).Sign(&req, at))
		return req
	}
	tests := []struct {
		name   string
		v      Verifier
		signAt time.Time
		edit   func(h http.Header)
		want   error
	}{
		{"valid", verifier(t, 0, whsec), now, nil, nil},
		{"rotation", verifier(t, 0, other, whsec), now, nil, nil},
		{"raw secret", verifier(t, 0, "raw"), now, func(h http.Header) {
			h.Set(SignatureHeader, Signature([]byte("raw"), h.Get(IDHeader), h.Get(TimestampHeader), body))
		}, nil},
		{"wrong secret", verifier(t, 0, other), now, nil, connectors.ErrSignatureInvalid},
		{"no secret", Verifier{}, now, nil, connectors.ErrSignatureInvalid},
		{"several signatures, valid last", verifier(t, 0, whsec), now, func(h http.Header) {
			h.Set(SignatureHeader, "v1,AAAA v1a,BBBB "+h.Get(SignatureHeader))
		}, nil},
		{"valid beyond MaxSignatures", verifier(t, 0, whsec), now, func(h http.Header) {
			s := ""
			for range MaxSignatures {
				s += "v1,AAAA "
			}
			h.Set(SignatureHeader, s+h.Get(SignatureHeader))
		}, connectors.ErrSignatureInvalid},
		{"4m59s old", verifier(t, 0, whsec), now.Add(-4*time.Minute - 59*time.Second), nil, nil},
		{"5m01s old", verifier(t, 0, whsec), now.Add(-5*time.Minute - time.Second), nil, connectors.ErrTimestampStale},
		{"5m01s ahead", verifier(t, 0, whsec), now.Add(5*time.Minute + time.Second), nil, connectors.ErrTimestampStale},
		{"wider tolerance", verifier(t, 10*time.Minute, whsec), now.Add(-6 * time.Minute), nil, nil},
		{"no signature", verifier(t, 0, whsec), now, func(h http.Header) { h.Del(SignatureHeader) }, connectors.ErrSignatureMissing},
		{"blank signature", verifier(t, 0, whsec), now, func(h http.Header) { h.Set(SignatureHeader, "  ") }, connectors.ErrSignatureMissing},
		{"no id", verifier(t, 0, whsec), now, func(h http.Header) { h.Del(IDHeader) }, connectors.ErrSignatureMissing},
		{"no timestamp", verifier(t, 0, whsec), now, func(h http.Header) { h.Del(TimestampHeader) }, connectors.ErrSignatureMissing},
		{"other id", verifier(t, 0, whsec), now, func(h http.Header) { h.Set(IDHeader, "msg_other") }, connectors.ErrSignatureInvalid},
		{"timestamp moved", verifier(t, 0, whsec), now, func(h http.Header) {
			h.Set(TimestampHeader, strconv.FormatInt(now.Unix()+1, 10))
		}, connectors.ErrSignatureInvalid},
		{"unknown version only", verifier(t, 0, whsec), now, func(h http.Header) {
			h.Set(SignatureHeader, "v2,"+h.Get(SignatureHeader)[3:])
		}, connectors.ErrSignatureInvalid},
		{"no comma", verifier(t, 0, whsec), now, func(h http.Header) {
			h.Set(SignatureHeader, h.Get(SignatureHeader)[3:])
		}, connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signed(t, tt.signAt)
			if tt.edit != nil {
				tt.edit(req.Header)
			}
			err := tt.v.Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
		})
	}

	t.Run("nil header", func(t *testing.T) {
		require.ErrorIs(t, verifier(t, 0, whsec).Verify(connectors.Request{Body: body}), connectors.ErrSignatureMissing)
	})
	t.Run("tampered body", func(t *testing.T) {
		req := signed(t, now)
		req.Body = []byte(`{"text":"ok!"}`)
		require.ErrorIs(t, verifier(t, 0, whsec).Verify(req), connectors.ErrSignatureInvalid)
	})
	t.Run("zero tolerance and nil clock use the defaults", func(t *testing.T) {
		v := verifier(t, 0, whsec)
		v.Now = nil
		req := connectors.Request{Body: body}
		require.NoError(t, v.Sign(&req, time.Now()))
		require.NoError(t, v.Verify(req))
	})
}

func TestVerifyBadTimestampIsInvalid(t *testing.T) {
	v := verifier(t, 0, whsec)
	req := connectors.Request{Header: http.Header{}, Body: []byte(`{}`)}
	req.Header.Set(IDHeader, "msg_1")
	req.Header.Set(TimestampHeader, "soon")
	req.Header.Set(SignatureHeader, Signature(v.Keys[0], "msg_1", "soon", req.Body))
	err := v.Verify(req)
	require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
	assert.ErrorContains(t, err, "Unix seconds")
}

func TestSign(t *testing.T) {
	v := verifier(t, 0, whsec)
	req := connectors.Request{Body: []byte(`{"text":"ok"}`)}
	require.NoError(t, v.Sign(&req, now))
	assert.Equal(t, MessageID(req.Body), req.Header.Get(IDHeader))
	assert.Regexp(t, `^msg_[0-9a-f]{32}$`, req.Header.Get(IDHeader))
	assert.Equal(t, "1740909900", req.Header.Get(TimestampHeader))
	assert.Regexp(t, `^v1,[A-Za-z0-9+/]+=*$`, req.Header.Get(SignatureHeader))

	keep := connectors.Request{Header: http.Header{}, Body: []byte(`{}`)}
	keep.Header.Set(IDHeader, "resp_1")
	require.NoError(t, v.Sign(&keep, now))
	assert.Equal(t, "resp_1", keep.Header.Get(IDHeader))

	dotted := connectors.Request{Header: http.Header{}, Body: []byte(`{}`)}
	dotted.Header.Set(IDHeader, "msg.1")
	require.ErrorIs(t, v.Sign(&dotted, now), connectors.ErrMalformed)

	require.ErrorIs(t, Verifier{}.Sign(&connectors.Request{}, now), ErrNoSecret)
}
