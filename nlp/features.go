package nlp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/corridorhq/corridor/nlp/model"
)

// Normalizer is the token normalization model features are made with:
// prose tokens of the redacted text, lower-cased and Snowball-stemmed,
// personal data dropped. A model made with another normalizer is refused.
const Normalizer = "corridor-nlp-v1"

// Feature templates a model may use.
const (
	// TemplateUnigram: "u:" + the stem of each word; "#" for a number, "$"
	// for an amount or a currency symbol.
	TemplateUnigram = "unigram"
	// TemplateBigram: "b:" + two adjacent stems, not across punctuation.
	TemplateBigram = "bigram"
	// TemplateTheme: "t:" + the id of each theme of the model's lexicon
	// matched in the text (taxonomy matching rules).
	TemplateTheme = "theme"
	// TemplateChar: "c:" + each character 4-gram of a lower-case word with
	// ^ and $ at its ends ("^foo", "foo$").
	TemplateChar = "char"
	// TemplateNegated: "n:" + the stem of the words up to three after a
	// negation in the same clause.
	TemplateNegated = "negated"
	// TemplateLexicon: "L:" + the overall lexicon sentiment score rounded to
	// a fifth (-5..5). Sentiment models only.
	TemplateLexicon = "lexicon"
)

// DefaultTemplates are the feature templates Train uses unless told: the
// best set in cross-validation on the SemEval-2014 restaurant train file
// (`go run ./benchmarks/quality --cv`).
var DefaultTemplates = []string{TemplateUnigram, TemplateBigram, TemplateTheme, TemplateChar}

// DefaultSentimentTemplates are the feature templates TrainSentiment uses
// unless told: the best set when training on the SemEval-2014 train files'
// polarities and scoring on the SemEval-2015 train files
// (`go run ./benchmarks/quality --cv`).
var DefaultSentimentTemplates = []string{TemplateUnigram, TemplateBigram, TemplateNegated, TemplateLexicon}

var (
	knownTemplates     = []string{TemplateUnigram, TemplateBigram, TemplateTheme, TemplateChar, TemplateNegated, TemplateLexicon}
	sentimentTemplates = []string{TemplateUnigram, TemplateBigram, TemplateChar, TemplateNegated, TemplateLexicon}
)

// lexiconBin is the "L:" feature of an overall lexicon score in -1..1.
func lexiconBin(score float64) string {
	return lexiconBins[max(-5, min(5, int(math.Round(score*5))))+5]
}

var lexiconBins = func() (b [11]string) {
	for i := range b {
		b[i] = "L:" + strconv.Itoa(i-5)
	}
	return b
}()

const (
	negScope = 3
	charN    = 4
)

// featTok reports whether token t yields word features.
func featTok(t *token) bool { return !t.pii && t.flags&(tfWord|tfNumber|tfCurrency) != 0 }

func featStem(t *token) string { return featStemOf(t.wordTok) }

// featStemOf is the feature form of a word token: its stem for words, "$"
// for amounts and currency symbols, "#" for other numbers, "" for none.
func featStemOf(wt *wordTok) string {
	switch {
	case wt.flags&tfWord != 0:
		return wt.stem
	case wt.flags&tfCurrency != 0:
		return "$"
	case wt.flags&tfNumber != 0:
		return "#"
	}
	return ""
}

// charGrams calls f with each character 4-gram of "^" + lower + "$".
func charGrams(lower string, f func(string)) {
	if len(lower)+2 < charN {
		f("^" + lower + "$")
		return
	}
	w := "^" + lower + "$"
	for k := 0; k+charN <= len(w); k++ {
		f(w[k : k+charN])
	}
}

// negWord reports whether a token starts a negation scope.
func negWord(t *token) bool {
	if t.flags&tfNT != 0 {
		return true
	}
	switch t.lower {
	case "not", "no", "never", "nothing", "nobody", "none", "nor", "neither", "cannot", "without":
		return true
	}
	return false
}

// walkFeatures calls word(i) for each feature token, pair(p, i) for each
// two adjacent feature tokens, and neg(i) for each feature token within
// negScope words after a negation in the same clause. Training and analysis
// share it, so both see the same features.
func walkFeatures(toks []token, word func(i int), pair func(p, i int), neg func(i int)) {
	prev := -1
	scope := 0
	for i := range toks {
		t := &toks[i]
		if t.flags&tfClauseEnd != 0 || t.pii {
			scope = 0
		}
		if !featTok(t) {
			prev = -1
			continue
		}
		word(i)
		if prev >= 0 && pair != nil {
			pair(prev, i)
		}
		prev = i
		if neg != nil {
			isNeg := negWord(t)
			if scope > 0 && !isNeg {
				neg(i)
				scope--
			}
			if isNeg {
				scope = negScope
			}
		}
	}
}

// textFeatures appends the feature strings of toks to dst, lexHits being
// the matches of the lexicon lx and score the overall lexicon sentiment: the
// training side of what collect finds by ids.
func textFeatures(dst []string, templates []string, toks []token, lexHits []hit, lx *taxonomy, score float64) []string {
	uni := slices.Contains(templates, TemplateUnigram)
	char := slices.Contains(templates, TemplateChar)
	var pair func(p, i int)
	if slices.Contains(templates, TemplateBigram) {
		pair = func(p, i int) { dst = append(dst, "b:"+featStem(&toks[p])+" "+featStem(&toks[i])) }
	}
	var neg func(i int)
	if slices.Contains(templates, TemplateNegated) {
		neg = func(i int) { dst = append(dst, "n:"+featStem(&toks[i])) }
	}
	walkFeatures(toks, func(i int) {
		if uni {
			dst = append(dst, "u:"+featStem(&toks[i]))
		}
		if char && toks[i].flags&tfWord != 0 {
			charGrams(toks[i].lower, func(g string) { dst = append(dst, "c:"+g) })
		}
	}, pair, neg)
	if slices.Contains(templates, TemplateTheme) {
		for _, h := range lexHits {
			dst = append(dst, "t:"+lx.themes[h.theme].ID)
		}
	}
	if slices.Contains(templates, TemplateLexicon) {
		dst = append(dst, lexiconBin(score))
	}
	return dst
}

// lexiconOf converts taxonomy specs to a model lexicon.
func lexiconOf(specs []themeSpec) []model.LexiconTheme {
	out := make([]model.LexiconTheme, len(specs))
	for i, s := range specs {
		out[i] = model.LexiconTheme{ID: s.ID, Terms: slices.Clone(s.Terms), Exclude: slices.Clone(s.Exclude)}
	}
	return out
}

func sameLexicon(a, b []model.LexiconTheme) bool {
	return slices.EqualFunc(a, b, func(x, y model.LexiconTheme) bool {
		return x.ID == y.ID && slices.Equal(x.Terms, y.Terms) && slices.Equal(x.Exclude, y.Exclude)
	})
}

// head is one linear model over the shared feature ids of a modelState.
type head struct {
	m      *model.Model
	rows   [][]float32 // weights by shared feature id; nil where m lacks the feature
	scales []float64   // feature values by shared feature id
}

// scores sets out to the decision value of each label of h.
func (h *head) scores(feats []featHit, out []float64) {
	clear(out)
	ss := 0.0
	for _, fh := range feats {
		row := h.rows[fh.f]
		if row == nil {
			continue
		}
		s := h.scales[fh.f]
		ss += s * s
		for l, w := range row {
			out[l] += float64(w) * s
		}
	}
	norm := 0.0
	if ss > 0 {
		norm = 1 / math.Sqrt(ss)
	}
	for l := range out {
		out[l] = out[l]*norm + h.m.Labels[l].Bias
	}
}

// modelState is a model (themes, and optionally sentiment) compiled for one
// state: one feature id space shared by both heads, looked up by the ids
// cached in word tokens, and the output theme of each theme label.
type modelState struct {
	themes           *head
	sent             *head // nil without a sentiment model
	sentPos, sentNeg int   // label indexes of the sentiment head

	nf     int              // shared feature ids
	uni    map[string]int32 // stem -> id of "u:stem"
	stems  map[string]int32 // stem -> stem id, for the stems in bigrams
	bi     map[uint64]int32 // stem id pair -> id of "b:a b"
	neg    map[string]int32 // stem -> id of "n:stem"
	char   map[string]int32 // 4-gram -> id of "c:gram"
	lbin   map[string]int32 // "L:k" -> id
	lex    *taxonomy        // the model's lexicon; nil when it is the rule taxonomy
	themeF []int32          // lexicon theme -> id of "t:id", -1 if none
	outOf  []int32          // theme label -> output theme index
	out    []ThemeInfo      // the output themes: taxonomy (unless replace), then model-only labels

	replace, useBi, useNeg, useChar bool
}

// compileModel checks that m was made with our normalizer and known
// templates and builds its lookups. rules is the rule taxonomy compiled from
// specs with tk.
func compileModel(m *model.Model, rules *taxonomy, specs []themeSpec, tk *tokenizer, replace bool) (*modelState, error) {
	var errs []error
	models := []*model.Model{m}
	if m.Sentiment != nil {
		models = append(models, m.Sentiment)
	}
	for i, mm := range models {
		what := "model"
		allowed := knownTemplates
		if i == 1 {
			what, allowed = "sentiment model", sentimentTemplates
		}
		if mm.Normalizer != Normalizer {
			errs = append(errs, fmt.Errorf("%s: normalizer %q, want %q (retrain the model with this version)", what, mm.Normalizer, Normalizer))
		}
		for _, t := range mm.Templates {
			if !slices.Contains(allowed, t) {
				errs = append(errs, fmt.Errorf("%s: feature template %q not supported", what, t))
			}
		}
	}
	if s := m.Sentiment; s != nil {
		ids := make([]string, len(s.Labels))
		for i, l := range s.Labels {
			ids[i] = l.ID
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"negative", "positive"}) {
			errs = append(errs, fmt.Errorf("sentiment model: labels %q, want negative and positive", ids))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	ms := &modelState{
		uni: map[string]int32{}, stems: map[string]int32{}, bi: map[uint64]int32{},
		neg: map[string]int32{}, char: map[string]int32{}, lbin: map[string]int32{},
		replace: replace,
	}
	for _, mm := range models {
		ms.useBi = ms.useBi || slices.Contains(mm.Templates, TemplateBigram)
		ms.useNeg = ms.useNeg || slices.Contains(mm.Templates, TemplateNegated)
		ms.useChar = ms.useChar || slices.Contains(mm.Templates, TemplateChar)
	}
	lx := rules
	if slices.Contains(m.Templates, TemplateTheme) && !sameLexicon(m.Lexicon, lexiconOf(specs)) {
		lspecs := make([]themeSpec, len(m.Lexicon))
		for i, t := range m.Lexicon {
			lspecs[i] = themeSpec{ID: t.ID, Label: t.ID, Terms: t.Terms, Exclude: t.Exclude}
		}
		tf := taxonomyFile{Version: 1, Themes: lspecs}
		if err := tf.validate(); err != nil {
			return nil, fmt.Errorf("model: lexicon: %w", err)
		}
		var err error
		if lx, err = compileTaxonomy(lspecs, tk); err != nil {
			return nil, fmt.Errorf("model: lexicon: %w", err)
		}
		ms.lex = lx
	}
	ms.themeF = make([]int32, len(lx.themes))
	for i := range ms.themeF {
		ms.themeF[i] = -1
	}
	lexIdx := map[string]int32{}
	for i, th := range lx.themes {
		lexIdx[th.ID] = int32(i)
	}
	// Shared feature ids, in order of first appearance (theme model first).
	dict := map[string]int32{}
	for _, mm := range models {
		for _, f := range mm.Features {
			if _, ok := dict[f]; !ok {
				dict[f] = int32(len(dict))
			}
		}
	}
	ms.nf = len(dict)
	stemID := func(s string) int32 {
		id, ok := ms.stems[s]
		if !ok {
			id = int32(len(ms.stems))
			ms.stems[s] = id
		}
		return id
	}
	for f, k := range dict {
		kind, v, ok := strings.Cut(f, ":")
		if !ok {
			continue // a feature we do not make never fires
		}
		switch kind {
		case "u":
			ms.uni[v] = k
		case "n":
			ms.neg[v] = k
		case "c":
			ms.char[v] = k
		case "L":
			ms.lbin[f] = k
		case "t":
			if ti, ok := lexIdx[v]; ok {
				ms.themeF[ti] = k
			}
		case "b":
			if a, b, ok := strings.Cut(v, " "); ok {
				ms.bi[uint64(uint32(stemID(a)))<<32|uint64(uint32(stemID(b)))] = k
			}
		}
	}
	newHead := func(mm *model.Model) *head {
		h := &head{m: mm, rows: make([][]float32, ms.nf), scales: make([]float64, ms.nf)}
		for i, f := range mm.Features {
			k := dict[f]
			h.rows[k] = mm.Weights[i]
			h.scales[k] = mm.Scale(int32(i))
		}
		return h
	}
	ms.themes = newHead(m)
	if m.Sentiment != nil {
		ms.sent = newHead(m.Sentiment)
		for i, l := range m.Sentiment.Labels {
			if l.ID == "positive" {
				ms.sentPos = i
			} else {
				ms.sentNeg = i
			}
		}
	}
	themeIdx := map[string]int32{}
	for i, th := range rules.themes {
		themeIdx[th.ID] = int32(i)
	}
	if !replace {
		ms.out = slices.Clone(rules.themes)
	}
	for _, l := range m.Labels {
		if ti, ok := themeIdx[l.ID]; ok && !replace {
			ms.outOf = append(ms.outOf, ti)
			continue
		}
		ms.outOf = append(ms.outOf, int32(len(ms.out)))
		ms.out = append(ms.out, ThemeInfo{ID: l.ID, Label: l.ID, Group: "model"})
	}
	return ms, nil
}

// wordIDs sets the model ids of a word token.
func (ms *modelState) wordIDs(wt *wordTok) {
	wt.mUni, wt.mStem, wt.mNeg, wt.mLex, wt.mLexExact = -1, -1, -1, -1, -1
	if ms.lex != nil {
		if id, ok := ms.lex.vocab[wt.stem]; ok && wt.stem != "" {
			wt.mLex = id
		}
		if id, ok := ms.lex.vocab[exactPrefix+wt.lower]; ok {
			wt.mLexExact = id
		} else if id, ok := ms.lex.vocab[numberKey]; ok && isNumber(wt.flags, wt.lower) {
			wt.mLexExact = id
		}
	}
	s := featStemOf(wt)
	if s == "" {
		return
	}
	if k, ok := ms.uni[s]; ok {
		wt.mUni = k
	}
	if k, ok := ms.stems[s]; ok {
		wt.mStem = k
	}
	if k, ok := ms.neg[s]; ok {
		wt.mNeg = k
	}
	if ms.useChar && wt.flags&tfWord != 0 {
		charGrams(wt.lower, func(g string) {
			if k, ok := ms.char[g]; ok {
				wt.mChar = append(wt.mChar, k)
			}
		})
	}
}

// featHit is one model feature found in a text, with the tokens it covers
// at its first occurrence.
type featHit struct {
	f          int32
	start, end int32 // token range
}

// collect sets sc.feats to the distinct model features of toks, each at its
// first occurrence. Theme features come from the rule hits in sc.hits when
// the model's lexicon is the rule taxonomy, else from its own matches.
func (ms *modelState) collect(sc *scratch, toks []token) {
	if len(sc.fstamp) < ms.nf {
		sc.fstamp = make([]uint32, ms.nf)
	}
	sc.fgen++
	if sc.fgen == 0 { // wrapped: stale stamps could collide
		clear(sc.fstamp)
		sc.fgen = 1
	}
	gen, stamp := sc.fgen, sc.fstamp
	fs := sc.feats[:0]
	add := func(k, start, end int32) {
		if stamp[k] != gen {
			stamp[k] = gen
			fs = append(fs, featHit{k, start, end})
		}
	}
	var pair func(p, i int)
	if ms.useBi {
		pair = func(p, i int) {
			a, b := toks[p].mStem, toks[i].mStem
			if a < 0 || b < 0 {
				return
			}
			if k, ok := ms.bi[uint64(uint32(a))<<32|uint64(uint32(b))]; ok {
				add(k, int32(p), int32(i+1))
			}
		}
	}
	var neg func(i int)
	if ms.useNeg {
		neg = func(i int) {
			if k := toks[i].mNeg; k >= 0 {
				add(k, int32(i), int32(i+1))
			}
		}
	}
	walkFeatures(toks, func(i int) {
		t := &toks[i]
		if t.mUni >= 0 {
			add(t.mUni, int32(i), int32(i+1))
		}
		for _, k := range t.mChar {
			add(k, int32(i), int32(i+1))
		}
	}, pair, neg)
	lexHits := sc.hits
	if ms.lex != nil {
		sc.lhits, sc.lexcl = matchTerms(ms.lex, toks, true, sc.lhits[:0], sc.lexcl[:0])
		lexHits = sc.lhits
	}
	for _, h := range lexHits {
		if k := ms.themeF[h.theme]; k >= 0 {
			add(k, h.start, h.end)
		}
	}
	sc.feats = fs
}

const maxModelMatches = 3

// predict scores the collected features and records the predicted labels'
// confidences by output theme (sc.mconf, sc.mhas). For each predicted label
// that no rule match already shows, it appends hits for its top contributing
// features: up to three that do not overlap and are not only function words,
// each contributing at least half as much as the first; none when no such
// feature contributes positively. In replace mode the rule hits are dropped
// first.
func (ms *modelState) predict(sc *scratch, toks []token) {
	h := ms.themes
	m := h.m
	sc.mscores = grow(sc.mscores, len(m.Labels))
	h.scores(sc.feats, sc.mscores)
	sc.labels = m.Decide(sc.labels[:0], sc.mscores)
	sc.mconf = grow(sc.mconf, len(ms.out))
	clear(sc.mconf)
	sc.mhas = grow(sc.mhas, len(ms.out))
	clear(sc.mhas)
	if ms.replace {
		sc.hits = sc.hits[:0]
	}
	ruleHits := len(sc.hits)
	for _, l := range sc.labels {
		out := ms.outOf[l]
		sc.mconf[out] = m.Confidence(l, sc.mscores[l])
		sc.mhas[out] = true
		covered := false
		for _, hh := range sc.hits[:ruleHits] {
			covered = covered || hh.theme == out
		}
		if covered {
			continue // the rule matches already show why
		}
		// The strongest contributors (one pass), then the best ones that do
		// not overlap, each at least half as strong as the first.
		type cand struct {
			w  float64
			fh featHit
		}
		var top [8]cand
		nt := 0
		for _, fh := range sc.feats {
			row := h.rows[fh.f]
			if row == nil {
				continue
			}
			w := float64(row[l]) * h.scales[fh.f]
			if w <= 0 || (nt == len(top) && w <= top[nt-1].w) || fh.start < 0 ||
				onlyStopWords(toks[fh.start:fh.end]) {
				continue
			}
			k := min(nt, len(top)-1)
			for k > 0 && top[k-1].w < w {
				top[k] = top[k-1]
				k--
			}
			top[k] = cand{w, fh}
			nt = min(nt+1, len(top))
		}
		var picked [maxModelMatches]featHit
		np := 0
		for _, c := range top[:nt] {
			if np == maxModelMatches || c.w < top[0].w/2 {
				break
			}
			overlap := false
			for _, p := range picked[:np] {
				overlap = overlap || (c.fh.start < p.end && p.start < c.fh.end)
			}
			if !overlap {
				picked[np] = c.fh
				np++
			}
		}
		for _, p := range picked[:np] {
			sc.hits = append(sc.hits, hit{theme: out, term: -1, start: p.start, end: p.end})
		}
	}
	if len(sc.hits) > ruleHits {
		slices.SortStableFunc(sc.hits, func(a, b hit) int { return int(a.start - b.start) })
	}
}

// onlyStopWords reports whether every token is a function word, filler or
// punctuation: such a span explains nothing to a reader.
func onlyStopWords(toks []token) bool {
	for i := range toks {
		if toks[i].flags&tfPhraseStop == 0 {
			return false
		}
	}
	return true
}

// sentiment combines the lexicon's overall score with the sentiment head:
// the label is the head's decision (positive, negative, or neutral when
// neither clears its threshold; the larger margin when both do) and the
// score is P(positive) - P(negative), kept on the label's side of the
// neutral band (-0.05, 0.05).
func (ms *modelState) sentiment(sc *scratch, lexScore float64) (float64, string) {
	h := ms.sent
	if k, ok := ms.lbin[lexiconBin(lexScore)]; ok {
		sc.feats = append(sc.feats, featHit{k, -1, -1})
	}
	var sv [2]float64
	h.scores(sc.feats, sv[:])
	pos, neg := sv[ms.sentPos]-h.m.Labels[ms.sentPos].Threshold, sv[ms.sentNeg]-h.m.Labels[ms.sentNeg].Threshold
	score := h.m.Confidence(ms.sentPos, sv[ms.sentPos]) - h.m.Confidence(ms.sentNeg, sv[ms.sentNeg])
	switch {
	case pos > 0 && pos >= neg:
		return math.Min(math.Max(score, 0.05), 1), "positive"
	case neg > 0:
		return math.Max(math.Min(score, -0.05), -1), "negative"
	}
	return math.Max(math.Min(score, 0.049), -0.049), "neutral"
}

// Train learns a theme model from labeled examples with the features this
// Analyzer makes. Its current taxonomy becomes the model's lexicon (the
// source of "theme" features, stored in the model); a model it has loaded
// plays no part. opts.Normalizer and opts.Lexicon are set here and
// opts.Templates defaults to DefaultTemplates. The same examples, options
// and taxonomy give a byte-identical model.
func (a *Analyzer) Train(examples []model.Example, opts model.TrainOptions) (*model.Model, error) {
	if len(opts.Templates) == 0 {
		opts.Templates = DefaultTemplates
	}
	for _, t := range opts.Templates {
		if !slices.Contains(knownTemplates, t) || t == TemplateLexicon {
			return nil, fmt.Errorf("nlp: train: feature template %q not supported for themes", t)
		}
	}
	opts.Normalizer = Normalizer
	opts.Lexicon = nil
	if slices.Contains(opts.Templates, TemplateTheme) {
		opts.Lexicon = lexiconOf(a.st.Load().specs)
	}
	m, err := model.Train(a.docs(examples, opts.Templates), opts)
	if err != nil {
		return nil, fmt.Errorf("nlp: %w", err)
	}
	return m, nil
}

// MinSentimentExamples is how many positive and how many negative examples
// TrainSentiment needs at least.
const MinSentimentExamples = 20

// TrainSentiment learns a sentiment model (labels negative and positive;
// neither means neutral) from the examples that have a Polarity, with the
// lexicon's overall score among its features. Attach it to a theme model as
// its Sentiment. opts.Templates defaults to DefaultSentimentTemplates.
func (a *Analyzer) TrainSentiment(examples []model.Example, opts model.TrainOptions) (*model.Model, error) {
	if len(opts.Templates) == 0 {
		opts.Templates = DefaultSentimentTemplates
	}
	for _, t := range opts.Templates {
		if !slices.Contains(sentimentTemplates, t) {
			return nil, fmt.Errorf("nlp: train sentiment: feature template %q not supported for sentiment", t)
		}
	}
	opts.Normalizer, opts.Lexicon = Normalizer, nil
	opts.Labels = []string{"negative", "positive"}
	var exs []model.Example
	var npos, nneg int
	for _, ex := range examples {
		var labels []string
		switch ex.Polarity {
		case "positive":
			npos++
			labels = []string{"positive"}
		case "negative":
			nneg++
			labels = []string{"negative"}
		case "neutral":
		default:
			continue
		}
		exs = append(exs, model.Example{Text: ex.Text, Themes: labels})
	}
	if npos < MinSentimentExamples || nneg < MinSentimentExamples {
		return nil, fmt.Errorf("nlp: train sentiment: %d positive and %d negative examples, want at least %d of each",
			npos, nneg, MinSentimentExamples)
	}
	m, err := model.Train(a.docs(exs, opts.Templates), opts)
	if err != nil {
		return nil, fmt.Errorf("nlp: train sentiment: %w", err)
	}
	return m, nil
}

// docs turns examples into model docs: the features of each text (redacted
// and tokenized as Analyze does, not truncated) under the given templates,
// with the current taxonomy as the lexicon, and its themes as labels.
func (a *Analyzer) docs(examples []model.Example, templates []string) []model.Doc {
	cur := a.st.Load()
	// A tokenizer of our own that stems every word, without model ids.
	tk := newTokenizer(sharedModel(), a.lex)
	tk.stemAll = true
	tk.setVocab(cur.tx.vocab)
	tk.cache = newWordCache()
	sc := new(scratch)
	lexicon := slices.Contains(templates, TemplateLexicon)
	docs := make([]model.Doc, len(examples))
	for i, ex := range examples {
		red, _ := a.redact(sc, ex.Text, len(ex.Text))
		sc.toks, sc.words = tk.tokens(sc.toks[:0], sc.words, red)
		if len(sc.pii) > 0 {
			markPII(sc.toks, sc.pii)
		}
		findThemes(cur.tx, sc, sc.toks)
		score := 0.0
		if lexicon {
			score = round3(a.lexiconScore(sc, red)) // as Analyze rounds it
		}
		docs[i] = model.Doc{Features: textFeatures(nil, templates, sc.toks, sc.hits, cur.tx, score), Labels: ex.Themes}
	}
	return docs
}
