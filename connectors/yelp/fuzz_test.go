package yelp

import (
	"path/filepath"
	"testing"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi/pollertest"
)

// FuzzDecode: no panic; errors wrap one sentinel and keep the bytes;
// records validate and are newest first.
func FuzzDecode(f *testing.F) {
	p := newTestPoller(f, config("", map[string]string{ParamLimit: "3"}))
	pollertest.Fuzz(f, filepath.Join("testdata", "pages"), func(body []byte) (connectors.Page, error) {
		return p.decode(body, 3)
	})
}
