package nlp

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
	"github.com/kljensen/snowball/english"

	"github.com/corridorhq/corridor/nlp/internal/lang"
	"github.com/corridorhq/corridor/nlp/internal/sentiment"
	"github.com/corridorhq/corridor/nlp/internal/wordcache"
)

// sharedModel is the prose model every Analyzer tokenizes with, made once
// per process. Tagging and extraction are off, so prose reads nothing from
// the model; it only needs one (without it, NewDocument would build a default
// model on every call). prose's English model (ModelFromData("en")) would
// cost about 45 MB of heap and 0.4 s at start for nothing:
// TestTokensMatchProse checks that our tokens are exactly what prose gives
// with that full model.
var sharedModel = sync.OnceValue(func() *prose.Model { return &prose.Model{Name: "en"} })

const (
	cacheWords    = 1 << 15 // distinct words remembered per Analyzer (up to twice this)
	maxCachedWord = 48      // longer words (URLs, hashes) are tokenized every time
)

type tokFlags uint16

const (
	tfWord        tokFlags = 1 << iota // contains a letter
	tfNumber                           // contains a digit and no letter
	tfSentenceEnd                      // . ! ? …
	tfClauseEnd                        // , ; : and sentence ends
	tfBoundary                         // but, although, though, whereas, however, except
	tfNT                               // n't
	tfUpper                            // letters all upper case
	tfPhraseStop                       // function word or filler: never part of a phrase
	tfCoord                            // and, or, then, because...: starts a sub-clause
	tfCurrency                         // a currency symbol, or a number with one ($, €5)
	tfCapital                          // starts with an upper-case letter
	tfForeign                          // letters and no digits, no function word, and not an English word we know
	tfHandle                           // an @mention or a link: no topic, no language
)

// wordTok is one prose token of a whitespace-delimited word, with everything
// the analysis needs to know about it out of context. Values are computed once
// per distinct word and cached.
type wordTok struct {
	start, end int32 // byte offsets within the word
	lower      string
	stem       string
	stemID     int32 // index into the taxonomy vocabulary, -1 if not in it
	exactID    int32 // the vocabulary id of the lower-case form ("=word" terms), -1 if none
	flags      tokFlags
	stop       lang.Mask // languages whose function words include lower
	evidence   lang.Mask // languages lower speaks for: function words and cues
	hint       lang.Mask // languages suggested by its letters
	senti      sentiment.Entry
	// model feature ids (-1 if none): "u:stem", the stem's id in bigrams,
	// "n:stem", the stem's id in the model's own lexicon; "c:" 4-grams
	mUni, mStem, mNeg, mLex int32
	mLexExact               int32 // the model lexicon's id of the lower-case form, -1 if none
	mChar                   []int32
}

// token is a wordTok placed in a text.
type token struct {
	start, end int // byte offsets into the redacted text
	*wordTok
	pii bool // part of a redaction placeholder
}

// tokenizer runs prose's tokenizer with tagging, segmentation and entity
// extraction disabled. prose splits a text into whitespace-delimited words
// and each word into tokens independently of its neighbours, so the tokens of
// a word are cached: a text whose words were all seen before costs no prose
// call at all, and the words not seen before are joined and tokenized in one
// prose call.
type tokenizer struct {
	opts    []prose.DocOpt
	lex     *sentiment.Lexicon
	vocab   map[string]int32 // stem (or exactPrefix+form) -> taxonomy vocabulary id
	prefix2 map[[2]byte]bool // 2-byte vocabulary stems, y read as i
	prefix3 map[[3]byte]bool // stemPrefix3 of vocabulary stems of 3-4 bytes
	prefix4 map[[4]byte]bool // first 4 bytes of vocabulary stems of 5+ bytes
	cache   *wordcache.Cache[[]wordTok]
	mv      *modelState // the model's feature ids, nil without a model
	stemAll bool        // stem every word (model features), not only possible taxonomy stems
}

// setVocab sets the taxonomy vocabulary that token stems are looked up in.
func (t *tokenizer) setVocab(vocab map[string]int32) {
	t.vocab = vocab
	t.prefix2 = map[[2]byte]bool{}
	t.prefix3 = map[[3]byte]bool{}
	t.prefix4 = map[[4]byte]bool{}
	for s := range vocab {
		if strings.HasPrefix(s, exactPrefix) {
			continue // exact forms are looked up whole, never stemmed
		}
		switch {
		case len(s) >= 5:
			t.prefix4[[4]byte{s[0], s[1], s[2], s[3]}] = true
		case len(s) >= 3:
			t.prefix3[stemPrefix3(s)] = true
		case len(s) == 2:
			t.prefix2[[2]byte{s[0], yToI(s[1])}] = true // "go" from "going"
		}
	}
}

// stemPrefix3 is the first three bytes of a word or short stem with 'y' read
// as 'i' after the first letter ("fly" stems to "fli").
func stemPrefix3(s string) [3]byte { return [3]byte{s[0], yToI(s[1]), yToI(s[2])} }

func yToI(c byte) byte {
	if c == 'y' {
		return 'i'
	}
	return c
}

// mayMatch reports whether the stem of the lower-case word could be in the
// vocabulary, so that the Snowball stemmer (about 2 µs a word) runs only for
// words that might match a theme term. Snowball changes only the end of a
// word: a stem of five or more bytes starts with the word's first four, a
// shorter one with its first three or two up to y -> i. Short words, words with
// apostrophes or non-ASCII letters and Snowball's special words are always
// stemmed.
func (t *tokenizer) mayMatch(lower string) bool {
	if t.vocab == nil || len(lower) <= 4 {
		return true
	}
	for i := 0; i < len(lower); i++ {
		if lower[i] >= utf8.RuneSelf || lower[i] == '\'' {
			return true
		}
	}
	switch lower {
	case "dying", "lying", "tying", "skies":
		return true
	}
	return t.prefix4[[4]byte{lower[0], lower[1], lower[2], lower[3]}] || t.prefix3[stemPrefix3(lower)] ||
		t.prefix2[[2]byte{lower[0], yToI(lower[1])}]
}

func newTokenizer(m *prose.Model, lex *sentiment.Lexicon) *tokenizer {
	return &tokenizer{
		opts: []prose.DocOpt{
			prose.UsingModel(m),
			prose.WithSegmentation(false),
			prose.WithTagging(false),
			prose.WithExtraction(false),
		},
		lex: lex,
	}
}

func newWordCache() *wordcache.Cache[[]wordTok] { return wordcache.New[[]wordTok](cacheWords) }

// wordSpan is a whitespace-delimited word of a text.
type wordSpan struct{ start, end int }

// splitWords appends the whitespace-delimited words of s to dst, as
// unicode.IsSpace (and prose) delimit them.
func splitWords(dst []wordSpan, s string) []wordSpan {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		var space bool
		if c < utf8.RuneSelf {
			space = c == ' ' || (c >= '\t' && c <= '\r')
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		switch {
		case space && start >= 0:
			dst = append(dst, wordSpan{start, i})
			start = -1
		case !space && start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, wordSpan{start, len(s)})
	}
	return dst
}

// tokens appends the tokens of s to dst. words is scratch space.
func (t *tokenizer) tokens(dst []token, words []wordSpan, s string) ([]token, []wordSpan) {
	words = splitWords(words[:0], s)
	base := len(dst)
	var missed []string
	var missedAt []int
	for wi, w := range words {
		toks, ok := t.cache.Get(s[w.start:w.end])
		if !ok {
			missed = append(missed, s[w.start:w.end])
			missedAt = append(missedAt, wi)
			continue
		}
		for i := range toks {
			dst = append(dst, token{start: w.start + int(toks[i].start), end: w.start + int(toks[i].end), wordTok: &toks[i]})
		}
	}
	if len(missed) == 0 {
		return dst, words
	}
	// Tokenize the new words with one prose call, cache them, and rebuild
	// the token list in text order.
	computed := t.compute(missed)
	for i, w := range missed {
		if len(w) <= maxCachedWord {
			t.cache.Put(strings.Clone(w), computed[i])
		}
	}
	dst = dst[:base]
	mi := 0
	for wi, w := range words {
		var toks []wordTok
		if mi < len(missedAt) && missedAt[mi] == wi {
			toks = computed[mi]
			mi++
		} else {
			toks, _ = t.cache.Get(s[w.start:w.end])
			if toks == nil {
				toks = t.compute([]string{s[w.start:w.end]})[0] // evicted meanwhile
			}
		}
		for i := range toks {
			dst = append(dst, token{start: w.start + int(toks[i].start), end: w.start + int(toks[i].end), wordTok: &toks[i]})
		}
	}
	return dst, words
}

// compute tokenizes words (each free of white space) with one prose call and
// describes each token.
func (t *tokenizer) compute(words []string) [][]wordTok {
	cleans := make([]string, len(words))
	maps := make([][]int32, len(words))
	n := 0
	for i, w := range words {
		cleans[i], maps[i] = sanitize(w)
		cleans[i] = blankQuotes(cleans[i])
		n += len(cleans[i]) + 1
	}
	var b strings.Builder
	b.Grow(n)
	starts := make([]int, len(words)+1)
	for i, c := range cleans {
		starts[i] = b.Len()
		b.WriteString(c)
		b.WriteByte(' ')
	}
	starts[len(words)] = b.Len()
	joined := b.String()
	out := make([][]wordTok, len(words))
	doc, err := prose.NewDocument(joined, t.opts...)
	if err != nil {
		return out // prose returns no error when tokenizing only
	}
	cur, wi := 0, 0
	var one [1][2]int
	for _, pt := range doc.Tokens() {
		k := strings.Index(joined[cur:], pt.Text)
		if k < 0 || pt.Text == "" {
			continue
		}
		pos := cur + k
		cur = pos + len(pt.Text)
		for wi < len(words) && pos >= starts[wi+1] {
			wi++
		}
		if wi == len(words) {
			break
		}
		// A run of emoji ("👍👍", "😡😡😡") is one token to prose; each
		// emoji is a sentiment word of its own. So is "Bad." or "Ok.",
		// which prose keeps whole (as it keeps "Mr."): the word and its
		// full stop.
		pieces := emojiPieces(pt.Text)
		if pieces == nil {
			pieces = t.fullStopPieces(pt.Text)
		}
		if pieces == nil {
			one[0] = [2]int{0, len(pt.Text)}
			pieces = one[:]
		}
		for _, piece := range pieces {
			s, e := pos-starts[wi]+piece[0], pos-starts[wi]+piece[1]
			if m := maps[wi]; m != nil {
				s, e = int(m[s]), int(m[e])
			}
			out[wi] = append(out[wi], t.describe(strings.Clone(pt.Text[piece[0]:piece[1]]), int32(s), int32(e)))
		}
	}
	return out
}

// fullStopPieces splits a short word and the full stop prose kept with it
// ("Bad.", "Meh.") when the word is a sentiment word. Anything else (an
// abbreviation such as "Mr." or "etc.") stays whole: nil.
func (t *tokenizer) fullStopPieces(tok string) [][2]int {
	n := len(tok)
	if n < 3 || n > 8 || tok[n-1] != '.' {
		return nil
	}
	for i := 0; i < n-1; i++ {
		if c := tok[i] | 0x20; c < 'a' || c > 'z' {
			return nil
		}
	}
	if t.lex.Lookup(strings.ToLower(tok[:n-1])).Flags&sentiment.InLexicon == 0 {
		return nil
	}
	return [][2]int{{0, n - 1}, {n - 1, n}}
}

// emojiPieces splits a token made only of emoji into one piece per emoji,
// each with its skin tone, variation selector and zero-width-joined
// followers ("👍🏽", "❤️", "👨‍👩‍👧"), and a word with emoji glued to its end
// ("great👍") into the word and its emoji. Any other token stays whole: nil.
func emojiPieces(tok string) [][2]int {
	if len(tok) < 5 || (strings.IndexByte(tok, 0xF0) < 0 && strings.IndexByte(tok, 0xE2) < 0) {
		return nil // too short for two emoji, or no rune an emoji starts with
	}
	if tok[0] < utf8.RuneSelf {
		// A word with emoji after it.
		for i, r := range tok {
			if isEmoji(r) {
				rest := emojiPieces(tok[i:])
				if rest == nil {
					if !isEmojiOnly(tok[i:]) {
						return nil
					}
					rest = [][2]int{{0, len(tok) - i}}
				}
				pieces := [][2]int{{0, i}}
				for _, p := range rest {
					pieces = append(pieces, [2]int{i + p[0], i + p[1]})
				}
				return pieces
			}
		}
		return nil
	}
	var pieces [][2]int
	joined := false
	for i := 0; i < len(tok); {
		r, size := utf8.DecodeRuneInString(tok[i:])
		switch {
		case isEmojiModifier(r):
			if len(pieces) == 0 {
				return nil
			}
			pieces[len(pieces)-1][1] = i + size
			joined = r == 0x200D
		case isEmoji(r):
			if joined && len(pieces) > 0 {
				pieces[len(pieces)-1][1] = i + size
			} else {
				pieces = append(pieces, [2]int{i, i + size})
			}
			joined = false
		default:
			return nil
		}
		i += size
	}
	if len(pieces) < 2 {
		return nil
	}
	return pieces
}

// isEmojiOnly reports whether s is one emoji with its modifiers.
func isEmojiOnly(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	if !isEmoji(r) {
		return false
	}
	for _, r := range s[size:] {
		if !isEmojiModifier(r) && !isEmoji(r) {
			return false
		}
	}
	return true
}

// isEmoji reports whether r is a pictographic symbol (emoji blocks, the
// dingbats and miscellaneous symbols that have emoji forms).
func isEmoji(r rune) bool {
	return (r >= 0x1F000 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || (r >= 0x2B00 && r <= 0x2BFF)
}

// isEmojiModifier reports whether r only changes the emoji before it: a skin
// tone, a variation selector, a zero-width joiner or a tag.
func isEmojiModifier(r rune) bool {
	return isEmojiVariant(r) || r == 0x200D || (r >= 0xE0020 && r <= 0xE007F)
}

// isEmojiVariant reports whether r is a skin tone or a variation selector.
func isEmojiVariant(r rune) bool {
	return (r >= 0x1F3FB && r <= 0x1F3FF) || r == 0xFE0F || r == 0xFE0E
}

// bareEmoji drops skin tones and variation selectors, so "👍🏽" and "❤️"
// find the lexicon's "👍" and "❤".
func bareEmoji(s string) string {
	return strings.Map(func(r rune) rune {
		if isEmojiVariant(r) {
			return -1
		}
		return r
	}, s)
}

// blankQuotes replaces the single quotes around a quoted word with spaces
// (same length, so offsets hold): prose keeps "'express" whole and drops
// "'submitted'" altogether. An apostrophe between letters or digits
// ("don't", "John's", "90's") stays, as do "'em", "'til" and "'cause".
func blankQuotes(w string) string {
	if !strings.Contains(w, "'") {
		return w
	}
	alnum := func(r rune, size int) bool { return size > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
	b := []byte(w)
	for i := 0; i < len(w); i++ {
		if w[i] != '\'' {
			continue
		}
		before, after := alnum(utf8.DecodeLastRuneInString(w[:i])), alnum(utf8.DecodeRuneInString(w[i+1:]))
		switch {
		case before && after:
		case after && clipped[strings.ToLower(strings.TrimRightFunc(w[i+1:], func(r rune) bool { return !unicode.IsLetter(r) }))]:
		case before != after:
			b[i] = ' '
		}
	}
	return string(b)
}

// clipped are words written with a leading apostrophe for letters left
// out, and clitics written apart from their word ("parcel 's box").
var clipped = map[string]bool{
	"em": true, "til": true, "cause": true, "bout": true, "n": true,
	"s": true, "ll": true, "re": true, "ve": true, "m": true, "d": true, "t": true,
}

// sanitize applies prose's quote normalization to a word and returns a map
// from byte offsets in the result to byte offsets in w (nil if unchanged).
func sanitize(w string) (string, []int32) {
	if !strings.Contains(w, "\u201c") && !strings.Contains(w, "\u201d") && !strings.Contains(w, "\u2018") &&
		!strings.Contains(w, "\u2019") && !strings.Contains(w, "&rsquo;") {
		return w, nil
	}
	var b strings.Builder
	m := make([]int32, 0, len(w)+1)
	for i := 0; i < len(w); {
		rep, n := "", 0
		switch {
		case strings.HasPrefix(w[i:], "\u201c"), strings.HasPrefix(w[i:], "\u201d"):
			rep, n = `"`, 3
		case strings.HasPrefix(w[i:], "\u2018"), strings.HasPrefix(w[i:], "\u2019"):
			rep, n = "'", 3
		case strings.HasPrefix(w[i:], "&rsquo;"):
			rep, n = "'", 7
		}
		if n > 0 {
			b.WriteString(rep)
			m = append(m, int32(i))
			i += n
			continue
		}
		b.WriteByte(w[i])
		m = append(m, int32(i))
		i++
	}
	m = append(m, int32(len(w)))
	return b.String(), m
}

var coordWords = map[string]bool{
	"and": true, "or": true, "then": true, "because": true, "so": true, "while": true,
	"when": true, "after": true, "before": true, "since": true, "until": true, "&": true,
}

var boundaryWords = map[string]bool{
	"but": true, "although": true, "though": true, "whereas": true, "however": true, "except": true,
}

// isNumber reports whether a token is a number for the term word "<n>".
func isNumber(flags tokFlags, lower string) bool {
	return flags&tfNumber != 0 || spelledNumbers[lower]
}

// describe computes the context-free facts about one token.
func (t *tokenizer) describe(text string, start, end int32) wordTok {
	lower := strings.ToLower(text)
	wt := wordTok{start: start, end: end, lower: lower, stem: lower, stemID: -1, exactID: -1}
	var letters, digits, uppers, lowers int
	for _, r := range text {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsUpper(r) {
				uppers++
			} else if unicode.IsLower(r) {
				lowers++
			}
		case unicode.IsDigit(r):
			digits++
		}
	}
	switch {
	case letters > 0:
		wt.flags |= tfWord
		if uppers > 0 && lowers == 0 {
			wt.flags |= tfUpper
		}
		if t.stemAll || t.mv != nil || t.mayMatch(lower) {
			wt.stem = english.Stem(lower, false)
		}
	case digits > 0:
		wt.flags |= tfNumber
	}
	if letters == 0 && strings.ContainsAny(text, "$€£¥") {
		wt.flags |= tfCurrency
	}
	if wt.stem != "" && t.vocab != nil {
		if id, ok := t.vocab[wt.stem]; ok {
			wt.stemID = id
		}
	}
	if id, ok := t.vocab[exactPrefix+lower]; ok {
		wt.exactID = id
	} else if id, ok := t.vocab[numberKey]; ok && isNumber(wt.flags, lower) {
		wt.exactID = id
	}
	switch {
	case lower == "n't":
		wt.flags |= tfNT
	case letters == 0 && digits == 0 && strings.Trim(lower, ".!?…") == "" && lower != "":
		wt.flags |= tfSentenceEnd | tfClauseEnd
	case lower == "," || lower == ";" || lower == ":" || lower == "-" || lower == "–" || lower == "—" ||
		lower == "(" || lower == ")":
		wt.flags |= tfClauseEnd
	case boundaryWords[lower]:
		wt.flags |= tfBoundary
	case coordWords[lower]:
		wt.flags |= tfCoord
	}
	if wt.flags&tfWord == 0 || len(lower) < 3 || phraseStops[lower] || lang.StopMask(lower).Has(lang.EN) {
		wt.flags |= tfPhraseStop
	}
	wt.stop = lang.StopMask(lower)
	wt.evidence = lang.EvidenceMask(lower)
	wt.hint = lang.HintMask(text)
	wt.senti = t.lex.Lookup(lower)
	if wt.senti.Flags&sentiment.InLexicon == 0 && letters == 0 && len(lower) > 4 {
		if bare := bareEmoji(lower); bare != lower {
			wt.senti = t.lex.Lookup(bare)
		}
	}
	wt.mUni, wt.mStem, wt.mNeg, wt.mLex, wt.mLexExact = -1, -1, -1, -1, -1
	if t.mv != nil {
		t.mv.wordIDs(&wt)
	}
	if (len(lower) > 1 && lower[0] == '@') || strings.Contains(lower, "://") || strings.HasPrefix(lower, "www.") {
		wt.flags |= tfHandle
	}
	if r, _ := utf8.DecodeRuneInString(text); unicode.IsUpper(r) {
		wt.flags |= tfCapital
	}
	if letters > 0 && digits == 0 && wt.flags&tfHandle == 0 && wt.stop == 0 && wt.stemID < 0 && wt.exactID < 0 && wt.mUni < 0 &&
		wt.senti.Flags&sentiment.InLexicon == 0 && !lang.IsEnglishWord(lower) {
		wt.flags |= tfForeign
	}
	return wt
}
