package nlp

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/nlp/internal/lang"
	"github.com/corridorhq/corridor/nlp/internal/redact"
	"github.com/corridorhq/corridor/nlp/internal/sentiment"
)

// ThemeInfo describes one theme of the loaded taxonomy.
type ThemeInfo struct {
	ID    string // snake_case, stable; a closed label set for metrics
	Label string
	Group string
}

// Analyzer redacts personal data, detects the language, and tags themes,
// sentiment and phrases. It is safe for concurrent use.
type Analyzer struct {
	cfg      Config
	maxText  int
	lex      *sentiment.Lexicon
	st       atomic.Pointer[state] // replaced whole by Reload
	reloadMu sync.Mutex
	pool     sync.Pool
}

// New validates cfg, loads prose's model (once per process), the taxonomy
// and the theme model if any, and returns a ready Analyzer.
func New(cfg Config) (*Analyzer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("nlp: config: %w", err)
	}
	a := &Analyzer{cfg: cfg, maxText: cfg.MaxTextBytes, lex: sentiment.Default()}
	a.pool.New = func() any { return new(scratch) }
	st, _, _, err := a.load()
	if err != nil {
		return nil, fmt.Errorf("nlp: %w", err)
	}
	a.st.Store(st)
	lang.IsEnglishWord("") // load the word list now, not on the first request
	return a, nil
}

// Themes returns the themes the Analyzer can report, in order: the
// taxonomy's (unless Config.ModelMode is replace), then the model's labels
// that are not taxonomy theme ids (Group "model"). After a Reload it
// reflects the new taxonomy and model.
func (a *Analyzer) Themes() []ThemeInfo {
	return append([]ThemeInfo(nil), a.st.Load().themes...)
}

// scratch is per-call working memory, pooled.
type scratch struct {
	spans   []redact.Span
	pii     []piiSpan
	words   []wordSpan
	toks    []token
	units   []sentiment.Unit
	segs    []int32 // attribution segment of each unit
	subs    []int32 // sub-clause of each unit
	tokUnit []int32 // unit index of each token, -1 if none
	vals    []float64
	hits    []hit
	excl    []hit
	order   []int32 // output slot of each theme, -1 if absent
	sums    []float64
	wts     []float64 // per unit: its "but" weight (sentiment.ContrastWeights)
	senti   []bool    // per sub-clause: it holds a sentiment word
	stamp   []int32
	offs    []int // start of each theme's matches in the shared backing array
	fill    []int
	// model
	feats   []featHit
	mscores []float64
	labels  []int
	mconf   []float64 // model confidence by output theme
	mhas    []bool    // output theme predicted by the model
	fstamp  []uint32  // per model feature: fgen when seen in this text
	fgen    uint32
	lhits   []hit // matches of the model's own lexicon
	lexcl   []hit
}

type piiSpan struct{ start, end int }

// hit is a term found in the text: tokens [start, end).
type hit struct {
	theme, term int32
	start, end  int32
	u0, u1      int32 // first and last unit, -1 if none
}

// Redact replaces personal data in text with typed placeholders ([EMAIL],
// [PHONE], [CARD], [IBAN], [IP]) and counts it by kind. The map is never nil.
// Unlike Analyze it does not truncate.
func (a *Analyzer) Redact(text string) (string, map[string]int) {
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	red, pii := a.redact(sc, text, len(text))
	return red, pii
}

// redact truncates text to limit bytes at a rune boundary, moving the cut
// before any piece of personal data it would split, and redacts it. The
// placeholder spans in the result are left in sc.pii.
func (a *Analyzer) redact(sc *scratch, text string, limit int) (string, map[string]int) {
	pre := text
	if len(text) > limit {
		pre = text[:runeCut(text, limit+256)] // room for PII straddling the limit
	}
	sc.spans = redact.Find(sc.spans[:0], pre)
	cut := len(pre)
	if len(text) > limit {
		cut = runeCut(text, limit)
		n := 0
		for _, sp := range sc.spans {
			if sp.Start < cut && sp.End > cut {
				cut = sp.Start
			}
			if sp.End <= cut {
				sc.spans[n] = sp
				n++
			}
		}
		sc.spans = sc.spans[:n]
	}
	red, counts := redact.Replace(text[:cut], sc.spans)
	pii := make(map[string]int, len(sc.spans))
	sc.pii = sc.pii[:0]
	delta := 0
	for _, sp := range sc.spans {
		ph := sp.Kind.Placeholder()
		start := sp.Start + delta
		sc.pii = append(sc.pii, piiSpan{start, start + len(ph)})
		delta += len(ph) - (sp.End - sp.Start)
	}
	for k, n := range counts {
		if n > 0 {
			pii[redact.Kind(k).String()] = n
		}
	}
	return red, pii
}

// runeCut returns the largest rune boundary <= n in s.
func runeCut(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// Analyze returns the analysis of text: the redacted text, its language,
// themes with matches and per-theme sentiment, overall sentiment and salient
// phrases. Invalid UTF-8 is replaced with U+FFFD first so that match offsets
// stay valid in JSON.
func (a *Analyzer) Analyze(text string) feedback.Analysis {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if strings.TrimSpace(text) == "" {
		return feedback.Analysis{Text: text[:runeCut(text, a.maxText)], Themes: []feedback.Theme{}, PII: map[string]int{}}
	}
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	st := a.st.Load()

	red, pii := a.redact(sc, text, a.maxText)
	out := feedback.Analysis{Text: red, Themes: []feedback.Theme{}, PII: pii}
	sc.toks, sc.words = st.tk.tokens(sc.toks[:0], sc.words, red)
	toks := sc.toks
	if len(sc.pii) > 0 {
		markPII(toks, sc.pii)
	}

	// Language; a text too short to tell is treated as English only if it
	// has English content words (lexicon, taxonomy or model) and no more function
	// words of another language than of English.
	var lc lang.Counter
	englishWords, anyWords, symbols := false, false, false
	// Content words (no function word of any language) and those of them
	// that are no English word we know; a capitalized word inside a
	// sentence is taken for a name and not counted as foreign.
	content, foreign := 0, 0
	sentenceStart := true
	for i := range toks {
		t := &toks[i]
		startsSentence := sentenceStart
		sentenceStart = t.flags&tfSentenceEnd != 0
		if t.pii {
			continue
		}
		if t.flags&tfWord == 0 {
			symbols = symbols || t.senti.Flags&sentiment.InLexicon != 0 // 👍, :(
			continue
		}
		if t.stop == 0 && t.flags&tfHandle == 0 {
			content++
			if t.flags&tfForeign != 0 && (startsSentence || t.flags&tfCapital == 0) {
				foreign++
			}
		}
		anyWords = true
		lc.Add(t.stop, t.evidence, t.hint)
		englishWords = englishWords ||
			(t.evidence == 0 && (t.stemID >= 0 || t.exactID >= 0 || t.senti.Flags&sentiment.InLexicon != 0 || t.mUni >= 0))
	}
	best, englishLeads := lc.Result()
	if (best < 0 || best == lang.EN) && lc.Score(lang.EN) < 1.5 && foreign >= 2 && 2*foreign > content {
		// Little English evidence and most words not English
		// ("Banken tager gebyr for alt"): not English, whatever else it is.
		best, englishLeads = -1, false
	}
	if best >= 0 {
		out.Language = lang.Codes[best]
	}
	if best < 0 {
		// Mostly another script than Latin: its language when the letters
		// tell, and no English analysis either way.
		if code, nonLatin := lang.Script(red); nonLatin {
			out.Language = code
			return out
		}
	}
	// Emoji and emoticons alone ("👍👍") need no language.
	wordless := !anyWords && symbols
	if best != lang.EN && !(best < 0 && englishLeads && (englishWords || wordless)) {
		if best >= 0 {
			out.Phrases = phrases(toks, best, nil)
		}
		return out
	}

	findThemes(st.tx, sc, toks)
	if st.ms != nil {
		st.ms.collect(sc, toks)
		st.ms.predict(sc, toks)
	}
	score := round3(a.lexiconScore(sc, red))
	label := sentiment.Label(score)
	if st.ms != nil && st.ms.sent != nil {
		score, label = st.ms.sentiment(sc, score)
	}
	out.Sentiment = &feedback.Sentiment{Score: round3(score), Label: label}
	out.Themes = themesOut(st, sc, red, out.Sentiment)
	out.Phrases = phrases(toks, lang.EN, sc.hits)
	return out
}

// lexiconScore builds the sentiment units of sc.toks (the text red) and
// returns the lexicon's overall score; sc.vals keeps the unit valences for
// per-theme attribution.
func (a *Analyzer) lexiconScore(sc *scratch, red string) float64 {
	buildUnits(sc, sc.toks)
	sc.vals = grow(sc.vals, len(sc.units))
	a.lex.Valences(sc.units, sc.vals)
	sc.wts = grow(sc.wts, len(sc.units))
	sentiment.ContrastWeights(sc.units, sc.wts)
	return sentiment.Overall(sc.vals, sc.wts, strings.Count(red, "!"), strings.Count(red, "?"))
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// markPII flags the tokens that overlap a placeholder.
func markPII(toks []token, spans []piiSpan) {
	j := 0
	for i := range toks {
		t := &toks[i]
		for j < len(spans) && spans[j].end <= t.start {
			j++
		}
		if j < len(spans) && spans[j].start < t.end {
			t.pii = true
		}
	}
}

// findThemes collects the term hits in token order, drops the ones an
// exclusion of the same theme overlaps and the ones that overlap an earlier
// hit of the same theme.
func findThemes(tx *taxonomy, sc *scratch, toks []token) {
	sc.hits, sc.excl = matchTerms(tx, toks, false, sc.hits[:0], sc.excl[:0])
}

// matchTerms appends the term hits of tx in toks to hits (exclusions go to
// excl, which is scratch), then filters them as findThemes says. lex selects
// the tokens' model-lexicon stem ids instead of the taxonomy's.
func matchTerms(tx *taxonomy, toks []token, lex bool, hits, excl []hit) ([]hit, []hit) {
	// ids are a token's vocabulary ids: its stem's and its exact form's.
	ids := func(t *token) (int32, int32) {
		if lex {
			return t.mLex, t.mLexExact
		}
		return t.stemID, t.exactID
	}
	for i := range toks {
		t := &toks[i]
		if t.pii {
			continue
		}
		stem, exact := ids(t)
		h0 := len(hits)
		for _, first := range [2]int32{stem, exact} {
			if first < 0 {
				continue
			}
			for _, ti := range tx.byFirst[first] {
				tm := &tx.terms[ti]
				n := len(tm.stems)
				if i+n > len(toks) {
					continue
				}
				ok := true
				for k := 1; k < n && ok; k++ {
					s, e := ids(&toks[i+k])
					ok = !toks[i+k].pii && (s == tm.stems[k] || e == tm.stems[k])
				}
				if !ok {
					continue
				}
				h := hit{theme: int32(tm.theme), term: ti, start: int32(i), end: int32(i + n)}
				if tm.exclude {
					excl = append(excl, h)
				} else {
					hits = append(hits, h)
				}
			}
		}
		if stem >= 0 && exact >= 0 && len(hits)-h0 > 1 {
			// Each list is longest first; so must be the two together.
			slices.SortStableFunc(hits[h0:], func(a, b hit) int { return int(b.end-b.start) - int(a.end-a.start) })
		}
	}
	n := 0
	for _, h := range hits {
		keep := true
		for _, x := range excl {
			if x.theme == h.theme && x.start < h.end && h.start < x.end {
				keep = false
				break
			}
		}
		for k := n - 1; k >= 0 && keep; k-- {
			p := hits[k]
			if p.start+int32(tx.maxLen) <= h.start {
				break // hits are in text order; no earlier one reaches h
			}
			if p.theme == h.theme && h.start < p.end {
				keep = false
			}
		}
		if keep {
			hits[n] = h
			n++
		}
	}
	return hits[:n], excl
}

// buildUnits turns tokens into sentiment units: words and numbers, with
// "n't" folded into the word before it, and clause, sentence and attribution
// segment numbers from punctuation and contrast words.
func buildUnits(sc *scratch, toks []token) {
	sc.units, sc.segs, sc.subs = sc.units[:0], sc.segs[:0], sc.subs[:0]
	sc.tokUnit = grow(sc.tokUnit, len(toks))
	var sent, clause, seg, sub int32
	for i := range toks {
		t := &toks[i]
		sc.tokUnit[i] = -1
		if t.pii {
			continue
		}
		f := t.flags
		switch {
		case f&tfNT != 0:
			if n := len(sc.units); n > 0 && i > 0 && sc.tokUnit[i-1] == int32(n-1) {
				sc.units[n-1].Negated = true
			}
			continue
		case f&tfSentenceEnd != 0:
			// The clause that ends with "?" is the question; earlier
			// clauses of the sentence ("Love the app, but when will you
			// add dark mode?") are not.
			if strings.IndexByte(t.lower, '?') >= 0 {
				for u := len(sc.units) - 1; u >= 0 && sc.units[u].Clause == clause; u-- {
					sc.units[u].Question = true
				}
			}
			sent, clause, seg, sub = sent+1, clause+1, seg+1, sub+1
			continue
		case f&tfClauseEnd != 0:
			clause, sub = clause+1, sub+1
			continue
		case f&tfCoord != 0:
			sub++
		}
		if f&(tfWord|tfNumber) == 0 && t.senti.Flags&sentiment.InLexicon == 0 {
			continue
		}
		if f&tfBoundary != 0 {
			clause, seg, sub = clause+1, seg+1, sub+1
		}
		sc.tokUnit[i] = int32(len(sc.units))
		sc.units = append(sc.units, sentiment.Unit{
			Lower: t.lower, Entry: t.senti, Upper: f&tfUpper != 0, Clause: clause, Sentence: sent,
		})
		sc.segs = append(sc.segs, seg)
		sc.subs = append(sc.subs, sub)
		if f&tfBoundary != 0 {
			clause, seg, sub = clause+1, seg+1, sub+1
		}
	}
	for i := range sc.hits {
		h := &sc.hits[i]
		h.u0, h.u1 = -1, -1
		for k := h.start; k < h.end; k++ {
			if u := sc.tokUnit[k]; u >= 0 {
				if h.u0 < 0 {
					h.u0 = u
				}
				h.u1 = u
			}
		}
	}
}

// maxAttribution is how many words away a sentiment word may be from the
// theme mention it is attributed to.
const maxAttribution = 8

// attribute adds each sentiment-bearing unit's valence to the themes it is
// about: the themes whose mention contains it, else the nearest mentions in
// its segment (clauses split by sentence ends and contrast words like "but").
// A word inside a mention ("rude", "timing out", "still waiting") also counts
// for the nearest mention of another theme in its sub-clause (split by
// punctuation and by "and", "or", "because"...) with no mention in between:
// "the agent was rude" is about the agent too. A mention takes no words from
// other sub-clauses when its own has sentiment words, and every word counts
// with its "but" weight.
func attribute(sc *scratch, nt int) {
	sc.sums = grow(sc.sums, nt)
	clear(sc.sums)
	sc.stamp = grow(sc.stamp, nt)
	clear(sc.stamp)
	if n := len(sc.subs); n > 0 {
		sc.senti = grow(sc.senti, int(sc.subs[n-1])+1)
		clear(sc.senti)
	}
	for u, v := range sc.vals {
		if v != 0 {
			sc.senti[sc.subs[u]] = true
		}
	}
	// Hits are in text order, so the mentions within reach of unit u form a
	// window that slides along with u. A term spans at most 2*maxTermWords
	// units.
	const reach = maxAttribution + 2*maxTermWords
	lo, hi := 0, 0
	for u, v := range sc.vals {
		u := int32(u)
		for lo < len(sc.hits) && sc.hits[lo].u0 < u-reach {
			lo++
		}
		for hi < len(sc.hits) && sc.hits[hi].u0 <= u+maxAttribution {
			hi++
		}
		if v == 0 {
			continue
		}
		// "The doctor was great but the receptionist was rude": weighted
		// as in the overall score, the clause after "but" counts more.
		v *= sc.wts[u]
		win := sc.hits[lo:hi]
		stamp := u + 1
		inside := false
		for _, h := range win {
			if h.u0 >= 0 && u >= h.u0 && u <= h.u1 && sc.stamp[h.theme] != stamp {
				sc.stamp[h.theme] = stamp
				sc.sums[h.theme] += v
				inside = true
			}
		}
		// The nearest eligible mentions; themes already credited are skipped.
		// A word inside a mention propagates only within its sub-clause, to a
		// mention with no other mention in between.
		eligible := func(h hit) bool {
			if h.u0 < 0 || sc.stamp[h.theme] == stamp || sc.segs[h.u0] != sc.segs[u] || dist(h, u) > maxAttribution {
				return false
			}
			// A mention whose own sub-clause has sentiment words takes
			// none from another: in "Great product, terrible customer
			// service", "great" is about the product, not the service.
			if sc.subs[h.u0] != sc.subs[u] && sc.senti[sc.subs[h.u0]] {
				return false
			}
			return !inside || (sc.subs[h.u0] == sc.subs[u] && !mentionBetween(win, h, u))
		}
		best := int32(maxAttribution + 1)
		for _, h := range win {
			if eligible(h) {
				best = min(best, dist(h, u))
			}
		}
		if best > maxAttribution {
			continue
		}
		for _, h := range win {
			if eligible(h) && dist(h, u) == best {
				sc.stamp[h.theme] = stamp
				sc.sums[h.theme] += v
			}
		}
	}
}

// mentionBetween reports whether a mention not containing unit u lies
// between mention h and u.
func mentionBetween(hits []hit, h hit, u int32) bool {
	for _, k := range hits {
		if k.u0 < 0 || (u >= k.u0 && u <= k.u1) {
			continue
		}
		if (h.u1 < k.u0 && k.u1 < u) || (u < k.u0 && k.u1 < h.u0) {
			return true
		}
	}
	return false
}

// dist is how many units lie between unit u and a mention (0 inside it).
func dist(h hit, u int32) int32 {
	switch {
	case u < h.u0:
		return h.u0 - u
	case u > h.u1:
		return u - h.u1
	}
	return 0
}

// themesOut builds the themes in order of first mention; themes the model
// predicted without a contributing span come last, with no matches and the
// overall sentiment.
func themesOut(st *state, sc *scratch, text string, overall *feedback.Sentiment) []feedback.Theme {
	model := st.ms != nil
	if len(sc.hits) == 0 && !(model && len(sc.labels) > 0) {
		return []feedback.Theme{}
	}
	nt := len(st.themes)
	attribute(sc, nt)
	sc.order = grow(sc.order, nt)
	for i := range sc.order {
		sc.order[i] = -1
	}
	count := 0
	for _, h := range sc.hits {
		if sc.order[h.theme] < 0 {
			sc.order[h.theme] = int32(count)
			count++
		}
	}
	withHits := count
	if model {
		for ti, has := range sc.mhas {
			if has && sc.order[ti] < 0 {
				sc.order[ti] = int32(count)
				count++
			}
		}
	}
	themes := make([]feedback.Theme, count)
	sents := make([]feedback.Sentiment, count)
	matches := make([]feedback.Match, len(sc.hits))
	// Lay the matches out theme by theme in one backing array.
	offs := grow(sc.offs, count+1)
	clear(offs)
	for _, h := range sc.hits {
		offs[sc.order[h.theme]+1]++
	}
	for i := 1; i <= count; i++ {
		offs[i] += offs[i-1]
	}
	fill := grow(sc.fill, count)
	copy(fill, offs[:count])
	sc.offs, sc.fill = offs, fill
	toks := sc.toks
	for _, h := range sc.hits {
		o := sc.order[h.theme]
		start, end := toks[h.start].start, toks[h.end-1].end
		matches[fill[o]] = feedback.Match{Text: text[start:end], Start: start, End: end}
		fill[o]++
	}
	for ti, o := range sc.order {
		if o < 0 {
			continue
		}
		info := st.themes[ti]
		ms := matches[offs[o]:offs[o+1]:offs[o+1]]
		if int(o) < withHits {
			score := sentiment.Compound(sc.sums[ti])
			sents[o] = feedback.Sentiment{Score: round3(score), Label: sentiment.Label(score)}
		} else {
			sents[o] = *overall
		}
		conf := confidence(st.tx, sc.hits, int32(ti))
		if model && sc.mhas[ti] {
			conf = math.Max(conf, round3(math.Min(sc.mconf[ti], 0.99)))
		}
		themes[o] = feedback.Theme{
			ID: info.ID, Label: info.Label, Group: info.Group,
			Confidence: conf,
			Sentiment:  &sents[o],
			Matches:    ms,
		}
	}
	return themes
}

// confidence of a theme from its rule matches: a single-word term gives
// 0.55, a multi-word term 0.7, and each further distinct term closes part of
// the remaining gap; repeats of a term add a little. Model matches do not
// count (the model's own confidence does).
func confidence(tx *taxonomy, hits []hit, theme int32) float64 {
	miss := 1.0
	for i, h := range hits {
		if h.theme != theme || h.term < 0 {
			continue
		}
		repeat := false
		for _, p := range hits[:i] {
			if p.theme == theme && p.term == h.term {
				repeat = true
				break
			}
		}
		switch {
		case repeat:
			miss *= 0.9
		case len(tx.terms[h.term].stems) > 1:
			miss *= 0.3
		default:
			miss *= 0.45
		}
	}
	return round3(math.Min(1-miss, 0.99))
}
