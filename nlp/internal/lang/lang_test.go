package lang

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func detect(s string) int {
	var c Counter
	for _, w := range strings.Fields(strings.ToLower(s)) {
		c.Add(StopMask(w), HintMask(w))
	}
	best, _ := c.Result()
	return best
}

func TestDetect(t *testing.T) {
	assert.Equal(t, EN, detect("the parcel was late and it is not the first time"))
	assert.Equal(t, ES, detect("el paquete llegó tarde y no es la primera vez"))
	assert.Equal(t, FR, detect("le colis est arrivé en retard et ce n'est pas la première fois"))
	assert.Equal(t, DE, detect("das Paket kam zu spät und es ist nicht das erste Mal"))
	assert.Equal(t, -1, detect("great"))
	assert.Equal(t, -1, detect(""))
}

func TestMasks(t *testing.T) {
	assert.True(t, StopMask("the").Has(EN))
	assert.True(t, StopMask("de").Has(ES) && StopMask("de").Has(FR) && StopMask("de").Has(NL))
	assert.True(t, HintMask("niño").Has(ES))
	assert.True(t, HintMask("straße").Has(DE))
	assert.Zero(t, HintMask("plain"))
	assert.True(t, IsStop("und", DE))
}
