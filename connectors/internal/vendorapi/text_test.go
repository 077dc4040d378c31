package vendorapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"How likely are you to recommend us?":                         "How likely are you to recommend us?",
		"  spaced \n out  ":                                           "spaced out",
		"<b>How likely</b> is it&hellip;":                             "How likely is it…",
		"<p>First</p><p>Second<br/>line</p>":                          "First Second line",
		`<span style="font-size:14px">Wh<b>at</b> went wrong?</span>`: "What went wrong?",
		"1 < 2 &amp; 3 > 2":                                           "1 < 2 & 3 > 2",
		"<!-- note -->Visible":                                        "Visible",
		"Broken <b":                                                   "Broken",
		"&lt;script&gt;":                                              "<script>",
		"":                                                            "",
	} {
		assert.Equal(t, want, PlainText(in), "%q", in)
	}
	long := strings.Repeat("a", maxTextInput+10)
	assert.Len(t, PlainText(long), maxTextInput)
}
