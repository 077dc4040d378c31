package sentiment

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// units builds units from space-separated lower-case words, one clause and
// one sentence; "n't" folds into the previous word and "|" starts a clause.
func units(l *Lexicon, s string) []Unit {
	var us []Unit
	var clause int32
	for _, w := range strings.Fields(s) {
		switch w {
		case "n't":
			us[len(us)-1].Negated = true
			continue
		case "|":
			clause++
			continue
		}
		us = append(us, Unit{Lower: w, Entry: l.Lookup(w), Clause: clause})
	}
	return us
}

func score(l *Lexicon, s string) float64 {
	us := units(l, s)
	vals := make([]float64, len(us))
	l.Valences(us, vals)
	w := make([]float64, len(us))
	ContrastWeights(us, w)
	return Overall(vals, w, 0, 0)
}

func TestLexicon(t *testing.T) {
	l := Default()
	require.Greater(t, l.Len(), 7000)
	assert.InDelta(t, 3.1, l.Lookup("great").Valence, 1e-9)
	assert.NotZero(t, l.Lookup("not").Flags&Negation)
	assert.NotZero(t, l.Lookup("very").Flags&Booster)
	assert.NotZero(t, l.Lookup("arrived").Flags&Event)
	assert.NotZero(t, l.Lookup("but").Flags&Contrast)
	assert.Zero(t, l.Lookup("support").Valence, "CX override")
	assert.Equal(t, Entry{}, l.Lookup("qwertyuiop"))
}

func TestScore(t *testing.T) {
	l := Default()
	assert.Greater(t, score(l, "it was good"), 0.05)
	assert.Less(t, score(l, "it was not good"), -0.05)
	assert.Less(t, score(l, "it was n't good"), -0.05)
	assert.Greater(t, score(l, "not bad"), 0.05)
	assert.Greater(t, score(l, "it was very good"), score(l, "it was good"))
	assert.Less(t, score(l, "it was slightly good"), score(l, "it was good"))
	assert.Less(t, score(l, "the parcel never arrived"), -0.05)
	assert.Zero(t, score(l, "the parcel arrived"))
	assert.Less(t, score(l, "no reply"), -0.05)
	assert.Less(t, score(l, "i was charged twice"), -0.05)
	assert.Greater(t, score(l, "no problems at all"), 0.05)
	assert.Zero(t, score(l, "it looks like a box"), "like needs a subject")
	assert.Greater(t, score(l, "i like it"), 0.05)
	// Negation does not cross clauses.
	assert.Greater(t, score(l, "not cheap | good"), 0.05)
	// "but": the clause after weighs more.
	assert.Less(t, score(l, "good but terrible"), -0.05)
	assert.Greater(t, score(l, "terrible but good"), 0.05)
	// N-grams written with "n't" on their first word, and without.
	assert.Greater(t, score(l, "could n't be happier"), 0.5)
	assert.Less(t, score(l, "could be happier"), -0.05)
	assert.Greater(t, score(l, "could not be happier"), 0.5)
	assert.Less(t, score(l, "it could n't be worse"), -0.5)
	// The "n't" an n-gram took in negates nothing after it.
	assert.Greater(t, score(l, "ca n't wait to come back"), 0.05)
	assert.Less(t, score(l, "ca n't log in"), -0.05)
	assert.Less(t, score(l, "thanks for nothing"), -0.05)
}

func TestCompoundAndLabel(t *testing.T) {
	assert.Zero(t, Compound(0))
	assert.InDelta(t, 0.612, Compound(3), 0.001) // 3/sqrt(9+15)
	assert.LessOrEqual(t, Compound(1e9), 1.0)
	assert.GreaterOrEqual(t, Compound(-1e9), -1.0)
	assert.Equal(t, Positive, Label(0.05))
	assert.Equal(t, Negative, Label(-0.05))
	assert.Equal(t, Neutral, Label(0.049))
}
