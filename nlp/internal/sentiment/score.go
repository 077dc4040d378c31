package sentiment

import (
	"iter"
	"math"
	"slices"
	"strings"
)

// Unit is one word as the scorer sees it. Punctuation is not a unit; the
// caller numbers clauses and sentences instead.
type Unit struct {
	Lower    string
	Entry    Entry
	Negated  bool  // the word carried "n't" (prose splits "wasn't" into was + n't)
	Upper    bool  // written in capitals
	Question bool  // in the clause that ends a sentence with "?"
	Clause   int32 // negation and boosters do not reach across clauses
	Sentence int32 // "but" weighting applies within a sentence
}

// subjects may precede a gated word ("I like", "we really like").
var subjects = map[string]bool{
	"i": true, "we": true, "you": true, "they": true, "really": true, "would": true,
	"'d": true, "do": true, "did": true, "definitely": true, "just": true, "still": true,
	"'ll": true, "will": true, "totally": true, "absolutely": true, "also": true,
}

// Valences sets out[i] to the sentiment valence of units[i] in context
// (VADER scale). out must have len(units). A unit's Negated is cleared when
// an n-gram entry written with its "n't" ("can't wait") takes it in.
func (l *Lexicon) Valences(units []Unit, out []float64) {
	upper := 0
	for i := range units {
		out[i] = 0
		if units[i].Upper {
			upper++
		}
	}
	capDiff := upper > 0 && upper < len(units)
	for i := 0; i < len(units); i++ {
		u := &units[i]
		e := u.Entry
		v, head := e.Valence, i
		if e.Flags&NGramTail != 0 {
			if g, h, withNT, ok := l.ngramAt(units, i); ok {
				v, head = g, h
				for k := h; k < i; k++ {
					out[k] = 0
				}
				if withNT {
					// "can't wait to come back": the n-gram used the "n't";
					// it negates nothing after it.
					units[h].Negated = false
				}
			}
		}
		if head == i {
			if e.Flags&InLexicon == 0 || e.Flags&Booster != 0 {
				continue
			}
			if u.Lower == "kind" && i+1 < len(units) && units[i+1].Lower == "of" {
				continue
			}
			if e.Flags&Gated != 0 && !gateOpen(units, i) {
				continue
			}
			if e.Flags&No != 0 && i+1 < len(units) && sameClause(units, i, i+1) &&
				units[i+1].Entry.Flags&InLexicon != 0 {
				continue // "no" before a sentiment word only negates it
			}
		}
		event := head == i && e.Flags&Event != 0
		negated := false
		// "no problem", "no help at all": a "no" up to two words back negates.
		for k := 1; k <= 2; k++ {
			j := head - k
			if j >= 0 && sameClause(units, j, i) && units[j].Entry.Flags&No != 0 {
				if event {
					negated = true
				} else {
					v *= nScalar
				}
				break
			}
		}
		if u.Upper && capDiff && !event {
			if v > 0 {
				v += cIncr
			} else if v < 0 {
				v -= cIncr
			}
		}
		for s := 0; s < lookback; s++ {
			j := head - (s + 1)
			if j < 0 || !sameClause(units, j, i) {
				break
			}
			p := &units[j]
			if p.Entry.Flags&Booster != 0 && p.Entry.Flags&InLexicon == 0 && !event {
				b := p.Entry.Booster
				if v < 0 {
					b = -b
				}
				if p.Upper && capDiff {
					if v > 0 {
						b += cIncr
					} else {
						b -= cIncr
					}
				}
				switch s {
				case 1:
					b *= scaleLookback1
				case 2:
					b *= scaleLookback2
				}
				v += b
			}
			if p.Entry.Flags&Negation != 0 || p.Negated {
				if event {
					negated = true
				} else {
					v *= nScalar
				}
			}
		}
		if j := head - 1; j >= 0 && sameClause(units, j, i) && units[j].Entry.Flags&Least != 0 {
			if !(j >= 1 && (units[j-1].Lower == "at" || units[j-1].Lower == "very")) {
				v *= nScalar
			}
		}
		if event {
			if negated {
				v = eventNegated
			} else {
				v = e.Valence
			}
		}
		out[i] = v
	}
	sarcasticOpeners(units, out)
	requests(units, out)
	wishes(units, out)
	questions(units, out)
}

// questions zeroes praise inside a question: "Is the property pet
// friendly?", "Will the blue one be back in stock?" ask, they do not
// praise. Complaints keep their weight ("Why is it so slow??"), and so
// does praise in an earlier clause ("Great app, but when will you add dark
// mode?").
func questions(units []Unit, out []float64) {
	for i := range units {
		if units[i].Question && out[i] > 0 {
			out[i] = 0
		}
	}
}

// comparatives make a request, not praise, in a sentence that opens with
// one or with "make" or "please": "Better packaging", "Faster shipping
// please", "Make the website easier to navigate" (answers to "What could
// we do better?"). Followed by "than" they still compare: "Better than
// expected!".
var comparatives = map[string]bool{
	"better": true, "faster": true, "quicker": true, "easier": true, "cheaper": true,
	"smoother": true, "clearer": true, "friendlier": true, "nicer": true, "simpler": true,
}

// requests zeroes the praise of comparatives in request sentences (see
// comparatives).
func requests(units []Unit, out []float64) {
	for start, end := range sentences(units) {
		first := units[start].Lower
		if !comparatives[first] && first != "make" && first != "please" {
			continue
		}
		for i := start; i < end; i++ {
			if comparatives[units[i].Lower] && out[i] > 0 && !(i+1 < end && units[i+1].Lower == "than") {
				out[i] = 0
			}
		}
	}
}

// wishes zeroes the praise that only frames a wish: "would be nice/great
// if ...", "would be nice to have", "would be great to export to CSV", "I'd
// love a dark mode", "would love to see ...". Such answers ask for
// something; they praise nothing. "Would love to come back" and "would be
// delighted to stay again" keep their praise.
func wishes(units []Unit, out []float64) {
	at := func(i int) string {
		if i < len(units) {
			return units[i].Lower
		}
		return ""
	}
	for i := range units {
		// "would", or "'d" alone or kept with its subject ("i'd", "it’d").
		if w := units[i].Lower; w != "would" && !strings.HasSuffix(w, "'d") && !strings.HasSuffix(w, "’d") {
			continue
		}
		switch {
		case at(i+1) == "be" && i+2 < len(units) && out[i+2] > 0 &&
			(wishTails[at(i+3)] || at(i+3) == "to" && !returnVerbs[at(i+4)]):
			out[i+2] = 0 // would be nice if / to have / to export
		case at(i+1) == "love" && out[i+1] > 0 && (wishObjects[at(i+2)] || at(i+2) == "to" && wishVerbs[at(i+3)]):
			out[i+1] = 0 // would love a / to see
		}
	}
}

var (
	wishTails   = map[string]bool{"if": true, "for": true, "when": true}
	wishObjects = map[string]bool{"a": true, "an": true, "the": true, "some": true, "more": true, "if": true, "it": true}
	wishVerbs   = map[string]bool{"see": true, "have": true, "get": true}
	// returnVerbs after "would be glad/happy/delighted to" keep the praise:
	// "would be delighted to stay here again".
	returnVerbs = map[string]bool{"come": true, "stay": true, "return": true, "recommend": true,
		"visit": true, "go": true, "use": true, "shop": true, "order": true, "book": true, "fly": true,
		"work": true, "buy": true}
)

// sentences yields the start and end (exclusive) of each sentence's units.
func sentences(units []Unit) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for start := 0; start < len(units); {
			end := start + 1
			for end < len(units) && units[end].Sentence == units[start].Sentence {
				end++
			}
			if !yield(start, end) {
				return
			}
			start = end
		}
	}
}

// openerWords may stand before a sarcastic opener ("Oh great, ...").
var openerWords = map[string]bool{"oh": true, "well": true, "just": true, "so": true, "yeah": true}

// openerPhrases are praise clauses of several words that can open a
// sentence sarcastically.
var openerPhrases = [][]string{
	{"thanks", "a", "lot"}, {"thank", "you"}, {"thanks", "so", "much"}, {"thank", "you", "so", "much"},
	{"good", "job"}, {"great", "job"}, {"well", "done"}, {"nice", "one"},
}

// sarcasticOpeners zeroes the praise that opens a sentence as a clause of
// its own ("Great,", "Oh perfect,", "Thanks a lot,") when the rest of the
// sentence is only negative: "Great, another update that breaks
// everything." keeps its complaint, while "Great, thanks for the quick
// reply!" keeps its praise and "Great product, terrible service" is no
// opener at all.
func sarcasticOpeners(units []Unit, out []float64) {
	for start, end := range sentences(units) {
		i := start
		for i < end-1 && openerWords[units[i].Lower] && sameClause(units, i, i+1) {
			i++
		}
		j := i // the opener clause is units[i..j]
		for j+1 < end && sameClause(units, j, j+1) {
			j++
		}
		opener := j == i || slices.ContainsFunc(openerPhrases, func(p []string) bool {
			return slices.EqualFunc(p, units[i:j+1], func(w string, u Unit) bool { return w == u.Lower })
		})
		if opener && j+1 < end && sumRange(out, i, j+1) > 0 {
			pos, neg := false, false
			for k := j + 1; k < end; k++ {
				pos = pos || out[k] > 0
				neg = neg || out[k] < 0
			}
			if neg && !pos {
				for k := i; k <= j; k++ {
					out[k] = 0
				}
			}
		}
	}
}

func sumRange(v []float64, from, to int) float64 {
	s := 0.0
	for k := from; k < to; k++ {
		s += v[k]
	}
	return s
}

func sameClause(units []Unit, a, b int) bool { return units[a].Clause == units[b].Clause }

func gateOpen(units []Unit, i int) bool {
	if i == 0 || !sameClause(units, i-1, i) {
		return false
	}
	p := &units[i-1]
	return subjects[p.Lower] || p.Negated || p.Entry.Flags&(Negation|Booster) != 0
}

// ngramAt finds an n-gram ending at units[i] within one clause, longest
// first, and returns its valence, its first unit and whether the entry
// includes that unit's "n't". A first unit that carried
// "n't" is looked up with it first, so "couldn't be happier" can have an
// entry of its own (a negation inside an n-gram is not applied again).
func (l *Lexicon) ngramAt(units []Unit, i int) (v float64, first int, withNT, ok bool) {
	if i >= 2 && sameClause(units, i-2, i) {
		if v, withNT, ok := l.ngramFrom(&units[i-2], ngram{b: units[i-1].Lower, c: units[i].Lower}); ok {
			return v, i - 2, withNT, true
		}
	}
	if i >= 1 && sameClause(units, i-1, i) {
		if v, withNT, ok := l.ngramFrom(&units[i-1], ngram{b: units[i].Lower}); ok {
			return v, i - 1, withNT, true
		}
	}
	return 0, i, false, false
}

// ngramFrom looks up the n-gram g that starts with first, and reports
// whether the entry found includes first's "n't".
func (l *Lexicon) ngramFrom(first *Unit, g ngram) (v float64, withNT, ok bool) {
	if first.Negated {
		g.a = first.Lower + "n't"
		if v, ok := l.ngrams[g]; ok {
			return v, true, true
		}
	}
	g.a = first.Lower
	v, ok = l.ngrams[g]
	return v, false, ok
}

// ContrastWeights sets w[i] to the "but" weight of units[i] within its
// sentence: butBefore before the sentence's first contrast word, butAfter
// after it, 1 for the contrast word itself and in sentences without one.
// w must have len(units).
func ContrastWeights(units []Unit, w []float64) {
	for start, end := range sentences(units) {
		but := -1
		for i := start; i < end && but < 0; i++ {
			if units[i].Entry.Flags&Contrast != 0 {
				but = i
			}
		}
		for i := start; i < end; i++ {
			switch {
			case but < 0 || i == but:
				w[i] = 1
			case i < but:
				w[i] = butBefore
			default:
				w[i] = butAfter
			}
		}
	}
}

// Overall combines unit valences into a compound score in -1..1: each
// weighted by its ContrastWeights weight, then "!" and "?" emphasis, then
// VADER's normalization.
func Overall(vals, weights []float64, exclaims, questions int) float64 {
	sum := 0.0
	for i, v := range vals {
		sum += v * weights[i]
	}
	if sum == 0 {
		return 0
	}
	amp := float64(min(exclaims, maxEP)) * epAmplify
	switch {
	case questions > 3:
		amp += maxQM
	case questions > 1:
		amp += float64(questions) * qmAmplify
	}
	if sum > 0 {
		sum += amp
	} else {
		sum -= amp
	}
	return Compound(sum)
}

// Compound normalizes a valence sum into -1..1 the way VADER does.
func Compound(sum float64) float64 {
	if sum == 0 {
		return 0
	}
	c := sum / math.Sqrt(sum*sum+alpha)
	return math.Max(-1, math.Min(1, c))
}

// Labels.
const (
	Positive = "positive"
	Neutral  = "neutral"
	Negative = "negative"
)

// Label maps a compound score to positive (>= 0.05), negative (<= -0.05) or
// neutral.
func Label(score float64) string {
	switch {
	case score >= 0.05:
		return Positive
	case score <= -0.05:
		return Negative
	}
	return Neutral
}
