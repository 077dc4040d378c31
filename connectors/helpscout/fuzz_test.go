package helpscout

import (
	"testing"

	"github.com/corridorhq/corridor/connectors/connectortest"
)

// FuzzDecode: no panic; errors wrap one sentinel; records validate. The
// suite sends no X-HelpScout-Event, so this fuzzes shape inference too.
func FuzzDecode(f *testing.F) {
	connectortest.Fuzz(f, NewFactory())
}
