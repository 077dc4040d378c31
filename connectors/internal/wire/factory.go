package wire

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/corridorhq/corridor/connectors"
)

// NoOptions is the check of a connector of type typ that reads no
// SourceConfig.Options: an error listing the options set, sorted, or nil.
func NoOptions(typ string, opts map[string]string) error {
	if len(opts) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(opts))
	return fmt.Errorf("%s: options %s: %s takes no options", typ, strings.Join(keys, ", "), typ)
}

// SourceName is the name records of a source carry: the configured name,
// else the connector type typ.
func SourceName(set connectors.Settings, typ string) string {
	if set.Name == "" {
		return typ
	}
	return set.Name
}
