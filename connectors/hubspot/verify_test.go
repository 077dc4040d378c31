package hubspot

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

func verifier(t *testing.T, secrets []string, options map[string]string, now time.Time) connectors.Verifier {
	t.Helper()
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: secrets, Options: options}, connectors.Settings{Now: func() time.Time { return now }})
	require.NoError(t, err)
	return d.(connectors.Verifier)
}

// header builds a header from name, value pairs (canonicalizing names).
func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// TestVerifyPublishedVectors checks HubSpot's own examples: the v3 vector of
// the official Python SDK's tests and the v1 example of the validating
// requests page (both recomputed with openssl before being pasted here).
func TestVerifyPublishedVectors(t *testing.T) {
	secret := []string{"yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"}
	t.Run("v3", func(t *testing.T) {
		req := connectors.Request{
			Method: http.MethodPost, URI: "https://www.example.com/webhook_uri",
			Body:   []byte(`{'example_field':'example_value'}`),
			Header: header(SignatureV3Header, "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=", TimestampHeader, "1693657560000"),
		}
		now := time.UnixMilli(1693657560000).Add(time.Second)
		require.NoError(t, verifier(t, secret, nil, now).Verify(req), "absolute request URI is used as is")
		req.URI = "/webhook_uri"
		require.NoError(t, verifier(t, secret, map[string]string{OptionPublicURL: "https://www.example.com"}, now).Verify(req))
		require.ErrorIs(t, verifier(t, secret, nil, now).Verify(req), connectors.ErrSignatureInvalid, "path alone does not verify")
		assert.ErrorContains(t, verifier(t, secret, nil, now).Verify(req), "public_url is not set")
	})
	t.Run("v1", func(t *testing.T) {
		req := connectors.Request{
			Method: http.MethodPost, URI: "/hooks",
			Body:   []byte(`[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`),
			Header: header(SignatureHeader, "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de", SignatureVersionHeader, "v1"),
		}
		now := time.Now()
		err := verifier(t, secret, nil, now).Verify(req)
		require.ErrorIs(t, err, connectors.ErrSignatureMissing, "v1 is off by default")
		assert.ErrorContains(t, err, "allow_v1 is off")
		require.NoError(t, verifier(t, secret, map[string]string{OptionAllowV1: "true"}, now).Verify(req))
		require.NoError(t, verifier(t, []string{"other", secret[0]}, map[string]string{OptionAllowV1: "true"}, now).Verify(req), "rotation")
		require.ErrorIs(t, verifier(t, []string{"other"}, map[string]string{OptionAllowV1: "true"}, now).Verify(req), connectors.ErrSignatureInvalid)

		upper := req
		upper.Header = req.Header.Clone()
		upper.Header.Set(SignatureHeader, "232DB2615F3D666FE21A8EC971AC7B5402D33B9A925784DF3CA654D05F4817DE")
		require.NoError(t, verifier(t, secret, map[string]string{OptionAllowV1: "true"}, now).Verify(upper), "hex case does not matter")

		v2 := req
		v2.Header = req.Header.Clone()
		v2.Header.Set(SignatureVersionHeader, "v2")
		err = verifier(t, secret, map[string]string{OptionAllowV1: "true"}, now).Verify(v2)
		require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
		assert.ErrorContains(t, err, "only v1")
	})
}

// TestVerifyURIDecoding: HubSpot's v3 instructions decode %3A %2F %3F %40
// %21 %24 %27 %28 %29 %2A %2C %3B in the URI (and nothing else) before
// signing. Expected signatures computed with openssl over the decoded and
// the raw URI.
func TestVerifyURIDecoding(t *testing.T) {
	now := time.UnixMilli(1740909900000)
	opts := map[string]string{OptionPublicURL: "https://hooks.example.com"}
	req := func(uri, signature string) connectors.Request {
		return connectors.Request{
			Method: http.MethodPost, URI: uri, Body: []byte(`[]`),
			Header: header(SignatureV3Header, signature, TimestampHeader, "1740909898000"),
		}
	}
	const uri = "/v1/webhooks/hubspot?src=hs%3Aapp%2Fv3&x=%28a%29&q=a%20b"
	// over POSThttps://hooks.example.com/v1/webhooks/hubspot?src=hs:app/v3&x=(a)&q=a%20b[]1740909898000
	decoded := "Fr1IHcJ24fVAj83V5QZ1NDZXw2Rhl1R/y2bdEBVKxMw="
	// over the URI as received
	raw := "U8zbf11i8k85zGbsAbNFQHD/gIuvXrX/qUBeHmYafvw="
	v := verifier(t, []string{"test-secret"}, opts, now)
	require.NoError(t, v.Verify(req(uri, decoded)), "listed encodings decoded, %%20 kept")
	require.NoError(t, v.Verify(req(uri, raw)), "fallback: URI as received")
	require.NoError(t, v.Verify(req("/v1/webhooks/hubspot?src=hs%3aapp%2fv3&x=%28a%29&q=a%20b", decoded)), "lower-case hex decodes too")
	require.NoError(t, v.Verify(req("/v1/webhooks/hubspot", "sL1zQ+5vBJ/aqYlgLnpWV8tMuor7Y1VNq4aW8SmYgcQ=")), "no query")
	require.ErrorIs(t, v.Verify(req("/v1/webhooks/hubspot/", "sL1zQ+5vBJ/aqYlgLnpWV8tMuor7Y1VNq4aW8SmYgcQ=")), connectors.ErrSignatureInvalid, "a trailing slash changes the URI")

	signed := connectortest.NewRequest([]byte(`[]`))
	signed.URI = uri
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: []string{"test-secret"}, Options: opts}, connectors.Settings{})
	require.NoError(t, err)
	require.NoError(t, d.(connectors.Signer).Sign(&signed, time.UnixMilli(1740909898000)))
	assert.Equal(t, decoded, signed.Header.Get(SignatureV3Header), "Sign signs the decoded URI, as HubSpot does")
}

func TestVerify(t *testing.T) {
	now := connectortest.ReceivedAt()
	opts := map[string]string{OptionPublicURL: "https://hooks.example.com"}
	b := []byte(`[{"subscriptionType":"ticket.creation"}]`)
	sign := func(t *testing.T, at time.Time) connectors.Request {
		req := connectortest.NewRequest(b)
		req.URI = "/v1/webhooks/hubspot"
		d, err := NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: []string{"s1"}, Options: opts}, connectors.Settings{})
		require.NoError(t, err)
		require.NoError(t, d.(connectors.Signer).Sign(&req, at))
		return req
	}
	tests := []struct {
		name    string
		secrets []string
		signAt  time.Time
		edit    func(r *connectors.Request)
		want    error
	}{
		{"valid", []string{"s1"}, now, nil, nil},
		{"rotation", []string{"s2", "s1"}, now, nil, nil},
		{"wrong secret", []string{"s2"}, now, nil, connectors.ErrSignatureInvalid},
		{"no secret", nil, now, nil, connectors.ErrSignatureInvalid},
		{"4m59s old", []string{"s1"}, now.Add(-4*time.Minute - 59*time.Second), nil, nil},
		{"5m01s old", []string{"s1"}, now.Add(-5*time.Minute - time.Second), nil, connectors.ErrTimestampStale},
		{"5m01s ahead", []string{"s1"}, now.Add(5*time.Minute + time.Second), nil, connectors.ErrTimestampStale},
		{"method changed", []string{"s1"}, now, func(r *connectors.Request) { r.Method = http.MethodPut }, connectors.ErrSignatureInvalid},
		{"lower-case method", []string{"s1"}, now, func(r *connectors.Request) { r.Method = "post" }, nil},
		{"path changed", []string{"s1"}, now, func(r *connectors.Request) { r.URI = "/v1/webhooks/other" }, connectors.ErrSignatureInvalid},
		{"missing signature", []string{"s1"}, now, func(r *connectors.Request) { r.Header.Del(SignatureV3Header) }, connectors.ErrSignatureMissing},
		{"missing timestamp", []string{"s1"}, now, func(r *connectors.Request) { r.Header.Del(TimestampHeader) }, connectors.ErrSignatureMissing},
		{"replayed with a fresh timestamp", []string{"s1"}, now.Add(-time.Hour), func(r *connectors.Request) {
			r.Header.Set(TimestampHeader, "1740909900000")
		}, connectors.ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := sign(t, tt.signAt)
			if tt.edit != nil {
				tt.edit(&req)
			}
			err := verifier(t, tt.secrets, opts, now).Verify(req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			assert.ErrorContains(t, err, "hubspot: verify")
		})
	}
}

func TestSignSetsHeaders(t *testing.T) {
	req := connectors.Request{Body: []byte(`[]`)}
	d := connectortest.New(t, NewFactory(), "s1").(connectors.Signer)
	require.NoError(t, d.Sign(&req, time.Date(2025, 3, 2, 11, 5, 0, 0, time.FixedZone("CET", 3600))))
	assert.Equal(t, "1740909900000", req.Header.Get(TimestampHeader))
	assert.NotEmpty(t, req.Header.Get(SignatureV3Header))
	assert.Empty(t, req.Header.Get(SignatureHeader), "Sign never produces the legacy signature")
}
