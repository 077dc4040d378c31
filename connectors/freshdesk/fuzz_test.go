package freshdesk

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors/connectortest"
)

// FuzzDecode: JSON bodies. No panic; errors wrap one sentinel; records
// validate.
func FuzzDecode(f *testing.F) {
	connectortest.Fuzz(f, NewFactory())
}

// FuzzDecodeForm: x-www-form-urlencoded bodies, seeded from testdata/form.
func FuzzDecodeForm(f *testing.F) {
	paths, err := filepath.Glob("testdata/form/*.txt")
	require.NoError(f, err)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b, "")
	}
	f.Add([]byte("ticket_id=1&ticket_latest_public_comment=A+%3A+%3Cp%3Ex"), "/x?event=reply_added")
	f.Add([]byte("freshdesk_webhook%5Bticket_id%5D=1&csat=103"), "")
	d := connectortest.New(f, NewFactory(), connectortest.Secret)
	f.Fuzz(func(t *testing.T, body []byte, uri string) {
		req := form(string(body), uri)
		recs, err := connectortest.Decode(t, d, req)
		if err != nil {
			connectortest.RequireSentinel(t, err)
			require.Empty(t, recs)
			return
		}
		connectortest.CheckRecords(t, recs)
	})
}
