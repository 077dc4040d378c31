package jotform

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

// Fuzz modes: what data is.
const (
	fuzzRawRequest = iota // the rawRequest of an otherwise well-formed multipart body
	fuzzMultipart         // a whole multipart/form-data body
	fuzzForm              // a whole application/x-www-form-urlencoded body
)

// FuzzDecode fuzzes a submission three ways (mode % 3, see the fuzz modes).
// The invariant, as in connectortest.Fuzz: no panic; on error, no records
// and exactly one sentinel wrapped; otherwise every record validates and
// marshals; a signed request always verifies.
func FuzzDecode(f *testing.F) {
	for _, fx := range connectortest.Fixtures(f, "testdata") {
		var parts map[string]string
		require.NoError(f, json.Unmarshal(fx.Body, &parts))
		f.Add([]byte(parts[FieldRawRequest]), uint8(fuzzRawRequest))
		f.Add(multipartRequest(parts).Body, uint8(fuzzMultipart))
		f.Add(formRequest(parts).Body, uint8(fuzzForm))
	}
	for _, s := range []string{"", "{}", "[]", "null", `{"q1_x":1}`, `{"q5_rating":"5","q7_comments":"ok"}`,
		`{"submitDate":"1740909881692","q7_comments":"&quot;ok&quot;\r\n"}`, `{"submitDate":9e99}`} {
		f.Add([]byte(s), uint8(fuzzRawRequest))
	}
	d := newTestDecoder(f, nil, connectortest.Secret)
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		var req connectors.Request
		switch mode % 3 {
		case fuzzRawRequest:
			req = multipartRequest(fields(string(data)))
		case fuzzMultipart:
			req = rawRequest(data, "multipart/form-data; boundary="+boundary)
		default:
			req = formBody(string(data))
		}
		require.NoError(t, d.(connectors.Signer).Sign(&req, connectortest.ReceivedAt()))
		require.NoError(t, d.(connectors.Verifier).Verify(req), "a signed request must verify")
		recs, err := safeDecode(t, d, req)
		if err != nil {
			connectortest.RequireSentinel(t, err)
			require.Empty(t, recs, "records returned with an error")
			return
		}
		connectortest.CheckRecords(t, recs)
	})
}
