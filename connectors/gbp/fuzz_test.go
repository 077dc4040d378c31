package gbp

import (
	"path/filepath"
	"testing"

	"github.com/corridorhq/corridor/connectors/internal/googleauth"
	"github.com/corridorhq/corridor/connectors/internal/googleauth/googleauthtest"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi/pollertest"
)

// FuzzDecode: no panic; errors wrap one sentinel and keep the bytes;
// records validate and are newest first.
func FuzzDecode(f *testing.F) {
	p := newTestPoller(f, config("", googleauthtest.NewServer(f, googleauth.ScopeBusinessManage)))
	pollertest.Fuzz(f, filepath.Join("testdata", "pages"), p.decode)
}
