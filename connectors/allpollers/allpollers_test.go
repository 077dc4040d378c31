package allpollers

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
)

func TestFactories(t *testing.T) {
	fs := Factories()
	require.NotEmpty(t, fs)
	var types []string
	seen := map[string]bool{}
	for _, f := range fs {
		assert.NotEmpty(t, f.Type)
		assert.Falsef(t, seen[f.Type], "duplicate type %q", f.Type)
		seen[f.Type] = true
		types = append(types, f.Type)
		require.NotNilf(t, f.New, "%s: New", f.Type)
		assert.DirExistsf(t, filepath.Join("..", f.Type), "%s: no folder connectors/%s", f.Type, f.Type)

		// An entry without params or credentials fails fast, naming the feed.
		p, err := f.New(connectors.PollerConfig{Type: f.Type, ID: "feed-1"}, connectors.Settings{})
		require.Errorf(t, err, "%s: New without params", f.Type)
		assert.Nil(t, p)
		assert.Truef(t, strings.HasPrefix(err.Error(), f.Type+": feed-1: "), "%s: error %q names the type and feed", f.Type, err)
	}
	assert.True(t, sort.StringsAreSorted(types), "keep Factories sorted by type: %v", types)
}

// TestEveryPollerFolderIsListed catches a poller folder added without its
// line in Factories.
func TestEveryPollerFolderIsListed(t *testing.T) {
	entries, err := os.ReadDir("..")
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("..", e.Name(), "poller.go"))
		if err != nil || !strings.Contains(string(b), "func NewPollerFactory()") {
			continue // not a poller folder
		}
		_, ok := Lookup(e.Name())
		assert.Truef(t, ok, "connectors/%s has a NewPollerFactory but is not in allpollers.Factories", e.Name())
	}
}

func TestLookup(t *testing.T) {
	for _, f := range Factories() {
		got, ok := Lookup(f.Type)
		require.True(t, ok, f.Type)
		assert.Equal(t, f.Type, got.Type)
	}
	for _, typ := range []string{"", "nope", "typeform"} {
		_, ok := Lookup(typ)
		assert.False(t, ok, typ)
	}
}
