package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
)

func TestNoOptions(t *testing.T) {
	require.NoError(t, NoOptions("zendesk", nil))
	require.NoError(t, NoOptions("zendesk", map[string]string{}))
	err := NoOptions("zendesk", map[string]string{"b": "1", "a": ""})
	require.Error(t, err)
	assert.EqualError(t, err, "zendesk: options a, b: zendesk takes no options")
}

func TestSourceName(t *testing.T) {
	assert.Equal(t, "zendesk", SourceName(connectors.Settings{}, "zendesk"))
	assert.Equal(t, "support-eu", SourceName(connectors.Settings{Name: "support-eu"}, "zendesk"))
}
