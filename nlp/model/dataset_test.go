package model

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFixture(t *testing.T, format, path string) []Example {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	exs, err := ReadExamples(format, f)
	require.NoError(t, err)
	return exs
}

func TestReadSemEval2014(t *testing.T) {
	exs := readFixture(t, FormatSemEval2014, "testdata/semeval2014.xml")
	assert.Equal(t, []Example{
		{ID: "1", Text: "But the staff was so horrible to us.", Themes: []string{"service"}, Polarity: "negative"},
		{ID: "2", Text: "The food was great & cheap, the decor dull.", Themes: []string{"food", "price", "ambience"}},
		{ID: "3", Text: "We went on a Sunday.", Themes: []string{"anecdotes/miscellaneous"}, Polarity: "neutral"},
	}, exs)
}

func TestReadSemEval2015(t *testing.T) {
	exs := readFixture(t, FormatSemEval2015, "testdata/semeval2015.xml")
	require.Len(t, exs, 3)
	assert.Equal(t, []string{"RESTAURANT#GENERAL"}, exs[0].Themes)
	assert.Equal(t, "negative", exs[0].Polarity)
	assert.Equal(t, []string{"FOOD#QUALITY", "FOOD#PRICES"}, exs[1].Themes, "categories once each, in order")
	assert.Equal(t, "positive", exs[1].Polarity)
	assert.Equal(t, "1:2", exs[2].ID)
	assert.Empty(t, exs[2].Themes, "out-of-scope sentences are kept, without themes")
}

func TestReadJSONL(t *testing.T) {
	in := `{"id": 7, "text": "Parcel late", "themes": ["delivery", "delivery"], "polarity": "negative"}

{"text": "Nice", "themes": []}
`
	exs, err := ReadJSONL(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, []Example{
		{ID: "7", Text: "Parcel late", Themes: []string{"delivery"}, Polarity: "negative"},
		{Text: "Nice"},
	}, exs)

	for _, tt := range []struct{ in, err string }{
		{`{"themes": ["a"]}`, `line 1: no "text"`},
		{"{\"text\": \"a\"}\n{bad", "line 2"},
		{`{"text": "a", "themes": [" "]}`, "line 1: empty theme"},
		{`{"text": "a", "polarity": "meh"}`, `line 1: polarity "meh"`},
		{"\n\n", "no examples"},
	} {
		_, err := ReadJSONL(strings.NewReader(tt.in))
		require.Error(t, err, tt.in)
		assert.Contains(t, err.Error(), tt.err)
	}
	_, err = ReadExamples("csv", strings.NewReader(""))
	assert.ErrorContains(t, err, `unknown format "csv"`)
	_, err = ReadSemEval2014(strings.NewReader("<sentences></sentences>"))
	assert.ErrorContains(t, err, "no <sentence>")
	_, err = ReadSemEval2015(strings.NewReader("not xml"))
	assert.Error(t, err)
}
