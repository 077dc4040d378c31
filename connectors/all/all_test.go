package all

import (
	"os"
	"path/filepath"
	"sort"
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
		assert.Truef(t, f.Kind.Valid(), "%s: kind %q", f.Type, f.Kind)
		require.NotNilf(t, f.New, "%s: New", f.Type)
		assert.DirExistsf(t, filepath.Join("..", f.Type), "%s: no folder connectors/%s", f.Type, f.Type)

		d, err := f.New(connectors.SourceConfig{Type: f.Type}, connectors.Settings{Name: f.Type})
		require.NoErrorf(t, err, "%s: New without secrets", f.Type)
		require.NotNil(t, d)
	}
	assert.True(t, sort.StringsAreSorted(types), "keep Factories sorted by type: %v", types)
}

// TestEveryVendorFolderIsListed catches a vendor folder added without its
// line in Factories.
func TestEveryVendorFolderIsListed(t *testing.T) {
	entries, err := os.ReadDir("..")
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		switch e.Name() {
		case "all", "connectortest", "internal", "testdata":
			continue
		}
		if _, err := os.Stat(filepath.Join("..", e.Name(), "decoder.go")); err != nil {
			continue // not a vendor folder
		}
		_, ok := Lookup(e.Name())
		assert.Truef(t, ok, "connectors/%s has a decoder.go but is not in all.Factories", e.Name())
	}
}

func TestLookup(t *testing.T) {
	for _, f := range Factories() {
		got, ok := Lookup(f.Type)
		require.True(t, ok, f.Type)
		assert.Equal(t, f.Type, got.Type)
	}
	_, ok := Lookup("nope")
	assert.False(t, ok)
	_, ok = Lookup("")
	assert.False(t, ok)
}
