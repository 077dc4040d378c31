package appstore

import (
	"path/filepath"
	"testing"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi/pollertest"
)

// FuzzDecodeRSS: no panic; errors wrap one sentinel and keep the bytes;
// records validate and are newest first.
func FuzzDecodeRSS(f *testing.F) {
	p := newTestPoller(f, rssConfig(""))
	pollertest.Fuzz(f, filepath.Join("testdata", "pages"), func(body []byte) (connectors.Page, error) {
		return p.decodeRSS(body, 3)
	})
}

// FuzzDecodeConnect: the same invariant for App Store Connect pages.
func FuzzDecodeConnect(f *testing.F) {
	p := newTestPoller(f, connectConfig(f, ""))
	pollertest.Fuzz(f, filepath.Join("testdata", "pages"), p.decodeConnect)
}
