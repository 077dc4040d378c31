package nlp

import (
	"strings"

	"github.com/corridorhq/corridor/nlp/internal/lang"
	"github.com/corridorhq/corridor/nlp/internal/sentiment"
)

const (
	maxPhrases     = 5
	maxPhraseWords = 3
)

// phraseStops are English words that carry no topic on their own: besides
// the function words of package lang, common verbs, adverbs and fillers.
var phraseStops = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		also just even still really very much many lot lots thing things something anything
		everything nothing someone anyone everyone time times day days today yesterday tomorrow
		week weeks month months year years ago one two three first last again back way ever
		get gets getting got gotten go goes going went gone make makes made making take takes
		took taken come comes came say says said tell told ask asked try tried use used using
		want wanted need needed know knew think thought see saw look looked looks keep kept
		feel felt seem seemed let put give gave find found like also etc yes yeah hi hello
		dear thanks thank please regards cheers ok okay sure since until while where who whom
		whose why how here into onto over under again further then once more most other such
		only own same too can will shall may might must would could should being having into
		through during before after above below off out up down these those each few both
		either whether another every lots bit able via per still already always never sometimes
		usually often really quite rather pretty actually literally basically definitely
		overall experience customer customers company issue issues problem problems
		finally within twice near now new old next last left right soon possible though
		anymore whole start big bigger small smaller trying running signing waiting looking
		getting going doing saying asking calling using coming taking making giving telling
		thinking hoping planning wanting needing paying buying ordering receiving says shows
		answers seems looks takes makes keeps tells gives wants needs goes comes tries ordered
		offered picked sorted asked called emailed received bought paid tried wanted needed
		confirm follow anyway instead maybe probably almost enough four five six seven eight
		nine ten eleven twelve fifteen twenty thirty forty fifty hundred thousand half several
		multiple various different long longer short shorter happen happens happened
		minute minutes hour hours second seconds morning mornings evening evenings night nights
		weekend weekends promise promised promises returning bring brought beyond`) {
		m[w] = true
	}
	// Contractions prose keeps whole ("I've"), with either apostrophe.
	for _, w := range strings.Fields(`i've i'm i'd i'll you've you're you'd you'll we've we're
		we'd we'll they've they're they'd they'll it's it'd it'll that's there's here's what's
		who's let's he's she's`) {
		m[w] = true
		m[strings.ReplaceAll(w, "'", "’")] = true
	}
	return m
}()

// phrases returns up to five salient phrases: runs of one to three topic words
// (not function words, fillers or sentiment words, not inside a theme match,
// not personal data), lower-cased and deduplicated, longer runs first, in
// text order. l is the text's language.
func phrases(toks []token, l int, hits []hit) []string {
	type run struct{ start, end int }
	var runs [16]run
	nr := 0
	covered := func(i int) bool {
		for _, h := range hits {
			if int32(i) >= h.start && int32(i) < h.end {
				return true
			}
		}
		return false
	}
	candidate := func(t *token) bool {
		if t.pii || t.flags&tfWord == 0 || t.flags&tfHandle != 0 || len(t.lower) < 3 {
			return false
		}
		if l == lang.EN {
			return t.flags&tfPhraseStop == 0 && t.senti.Flags&(sentiment.InLexicon|sentiment.Negation|sentiment.Booster) == 0 &&
				!pastTense(t.lower)
		}
		return !t.stop.Has(l)
	}
	for i := 0; i < len(toks) && nr < len(runs); {
		if !candidate(&toks[i]) || covered(i) {
			i++
			continue
		}
		j := i
		for j < len(toks) && candidate(&toks[j]) && !covered(j) {
			j++
		}
		start := max(i, j-maxPhraseWords) // the head noun is usually last
		runs[nr] = run{start, j}
		nr++
		i = j
	}
	if nr == 0 {
		return nil
	}
	// Keep the longest runs, then restore text order.
	var keep [16]bool
	kept := 0
	for size := maxPhraseWords; size >= 1 && kept < maxPhrases; size-- {
		for k := 0; k < nr && kept < maxPhrases; k++ {
			if runs[k].end-runs[k].start == size {
				keep[k] = true
				kept++
			}
		}
	}
	out := make([]string, 0, kept)
	for k := 0; k < nr; k++ {
		if !keep[k] {
			continue
		}
		r := runs[k]
		var p string
		if r.end-r.start == 1 {
			p = toks[r.start].lower
		} else {
			var b strings.Builder
			for i := r.start; i < r.end; i++ {
				if i > r.start {
					b.WriteByte(' ')
				}
				b.WriteString(toks[i].lower)
			}
			p = b.String()
		}
		dup := false
		for _, q := range out {
			dup = dup || q == p
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// pastTense reports whether an English word looks like a past tense or
// participle ("stayed", "removed", "talked"): what happened is no topic.
// Nouns in -eed ("speed", "feed") and short words ("bed", "red") are kept.
func pastTense(w string) bool {
	return len(w) >= 5 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed")
}
