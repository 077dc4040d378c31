package jira

import (
	"testing"

	"github.com/corridorhq/corridor/connectors/connectortest"
)

// FuzzDecode: no panic; errors wrap one sentinel; records validate.
func FuzzDecode(f *testing.F) {
	connectortest.Fuzz(f, NewFactory())
}
