package jotform

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

// FuzzDecode fuzzes a submission two ways: when whole is false, data is the
// rawRequest of an otherwise well-formed multipart body; when true, data is
// the whole multipart body. The invariant, as in connectortest.Fuzz: no
// panic; on error, no records and exactly one sentinel wrapped; otherwise
// every record validates and marshals; a signed request always verifies.
func FuzzDecode(f *testing.F) {
	for _, fx := range connectortest.Fixtures(f, "testdata") {
		var parts map[string]string
		require.NoError(f, json.Unmarshal(fx.Body, &parts))
		f.Add([]byte(parts[FieldRawRequest]), false)
		f.Add(multipartRequest(parts).Body, true)
	}
	for _, s := range []string{"", "{}", "[]", "null", `{"q1_x":1}`, `{"q5_rating":"5","q7_comments":"ok"}`} {
		f.Add([]byte(s), false)
	}
	d := newTestDecoder(f, nil, connectortest.Secret)
	f.Fuzz(func(t *testing.T, data []byte, whole bool) {
		req := multipartRequest(fields(string(data)))
		if whole {
			req = rawRequest(data, "multipart/form-data; boundary="+boundary)
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
