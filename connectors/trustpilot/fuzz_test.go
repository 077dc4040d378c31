package trustpilot

import (
	"path/filepath"
	"testing"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi/pollertest"
)

// FuzzDecode fuzzes the webhook decoder: no panic; errors wrap one
// sentinel; records validate.
func FuzzDecode(f *testing.F) {
	connectortest.Fuzz(f, NewFactory())
}

// FuzzDecodePage fuzzes the reviews page decoder: no panic; errors wrap one
// sentinel and keep the bytes; records validate and are newest first.
func FuzzDecodePage(f *testing.F) {
	p := newTestPoller(f, pollerConfig(""))
	pollertest.Fuzz(f, filepath.Join("testdata", "pages"), func(body []byte) (connectors.Page, error) {
		return p.decode(body, 2)
	})
}
