package nlp

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/jdkato/prose/v2"
	"github.com/kljensen/snowball/english"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var tokenizerTexts = []string{
	"The checkout kept timing out, and I\u2019m \u201cdone\u201d!!",
	"Don't, won't, can't; wasn't it? They'll say it's $100 (or $99.99).",
	"Email:[EMAIL] \u2014 call [PHONE]... :) :-( ¯\\(ツ)/¯ <3",
	"U.S. Mr. Smith e.g. i.e. 3pm 2025-03-02 4.2.1",
	"Bad. Meh. Ok. Mr. Dr. etc. 👍👍 😡😡😡 👍🏽👎 great👍 ❤️❤️",
	"It says 'submitted' and the 'express' breakfast, the customers' rooms, 'em, '90s.",
	"  leading\tand\ttabs\nnew\r\nlines\u00a0nbsp\u2003em-space  ",
	"the parcel &rsquo;s box, 'quoted' \"double\" [bracket] (paren)",
	"caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u00fcber stra\u00dfe",
	"\u201c\u201d\u2018\u2019 &rsquo;&rsquo;",
	"x",
	"",
}

// TestTokensMatchProse checks that tokenizing word by word (with the cache,
// cold and warm) yields prose's tokens for the whole text, and that every
// token's offsets point at its text. The only differences allowed are the
// splits the tokenizer makes on purpose: a run of emoji into one token per
// emoji (also after a word: "great👍"), and a sentiment word from the full
// stop prose kept with it ("Bad." -> "Bad", ".").
func TestTokensMatchProse(t *testing.T) {
	a, err := New(NewDefaultConfig()) // own cache: the first pass is cold
	require.NoError(t, err)
	// The reference is prose with its full English model, not the empty
	// model the Analyzer shares.
	english := prose.ModelFromData("en")
	texts := append(verbatims(t), tokenizerTexts...)
	for pass := range 2 {
		for _, text := range texts {
			// The tokenizer blanks the quotes around quoted words on
			// purpose (see blankQuotes); so does the reference.
			doc, err := prose.NewDocument(blankFields(text), prose.UsingModel(english),
				prose.WithSegmentation(false), prose.WithTagging(false), prose.WithExtraction(false))
			require.NoError(t, err)
			want := doc.Tokens()
			got, _ := a.st.Load().tk.tokens(nil, nil, text)
			last, j := 0, 0
			for i, w := range want {
				require.Less(t, j, len(got), "pass %d: %q: prose token %d %q has no counterpart", pass, text, i, w.Text)
				k := j + 1 // our tokens j..k-1 make up prose's token i
				for clean(text[got[j].start:got[k-1].end]) != w.Text && k < len(got) && got[k].start == got[k-1].end {
					k++
				}
				if k > j+1 {
					assert.True(t, splitOnPurpose.MatchString(w.Text), "pass %d: %q: prose token %q split into %d", pass, text, w.Text, k-j)
				}
				for _, tok := range got[j:k] {
					assert.GreaterOrEqual(t, tok.start, last)
					last = tok.end
				}
				assert.Equal(t, w.Text, clean(text[got[j].start:got[k-1].end]), "offsets of token %d in %q", i, text)
				if k == j+1 {
					assert.Equal(t, strings.ToLower(w.Text), got[j].lower, "pass %d: %q token %d", pass, text, i)
				}
				j = k
			}
			assert.Equal(t, len(got), j, "pass %d: %q: tokens beyond prose's", pass, text)
		}
	}
}

// blankFields applies blankQuotes to each whitespace-separated field of s.
func blankFields(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			i = len(s)
		}
		b.WriteString(blankQuotes(s[:i]))
		s = s[i:]
		j := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) })
		if j < 0 {
			j = len(s)
		}
		b.WriteString(s[:j])
		s = s[j:]
	}
	return b.String()
}

// splitOnPurpose matches the prose tokens the tokenizer splits: emoji
// runs, a word with emoji glued to it, and a word with its full stop.
var splitOnPurpose = regexp.MustCompile(`^[A-Za-z]*[\p{So}\p{Sk}\x{FE0F}\x{200D}]+$|^[A-Za-z]+\.$`)

func clean(span string) string {
	s, _ := sanitize(span)
	return s
}

func TestSplitWords(t *testing.T) {
	for _, s := range tokenizerTexts {
		got := []string{}
		for _, w := range splitWords(nil, s) {
			got = append(got, s[w.start:w.end])
		}
		assert.Equal(t, strings.Fields(s), got, "%q", s)
	}
}

// TestMayMatch checks the shortcut that skips Snowball for words whose stem
// cannot be in the taxonomy vocabulary: for every lexicon word, every term
// word of the default taxonomy and common inflections of them, a stem in the
// vocabulary implies mayMatch.
func TestMayMatch(t *testing.T) {
	a := analyzer(t)
	words := map[string]bool{}
	f, err := os.Open("internal/sentiment/vader_lexicon.tsv")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w, _, _ := strings.Cut(sc.Text(), "\t")
		words[w] = true
	}
	tf, err := parseTaxonomy(defaultTaxonomy)
	require.NoError(t, err)
	for _, th := range tf.Themes {
		for _, term := range append(th.Terms, th.Exclude...) {
			for _, w := range strings.Fields(strings.ToLower(term)) {
				for _, suf := range []string{"", "s", "es", "ed", "d", "ing", "er", "ers", "ly", "ies", "ied",
					"y", "ness", "ment", "ments", "ful", "ation", "ations", "able", "ize", "ise", "ized"} {
					words[w+suf] = true
					if n := len(w); n > 3 && strings.ContainsRune("eyi", rune(w[n-1])) {
						words[w[:n-1]+suf] = true
					}
				}
			}
		}
	}
	checked := 0
	for w := range words {
		if _, ok := a.st.Load().tk.vocab[english.Stem(w, false)]; ok {
			checked++
			assert.True(t, a.st.Load().tk.mayMatch(w), "%q stems to %q", w, english.Stem(w, false))
		}
	}
	assert.Greater(t, checked, 1000)
}

func TestEmojiPieces(t *testing.T) {
	tests := []struct {
		tok  string
		want []string
	}{
		{"👍", []string{"👍"}},
		{"👍👍", []string{"👍", "👍"}},
		{"👍🏽👎", []string{"👍🏽", "👎"}},
		{"❤️❤️", []string{"❤️", "❤️"}},
		{"👨‍👩‍👧😀", []string{"👨‍👩‍👧", "😀"}},
		{"great👍", []string{"great", "👍"}},
		{"thanks🙏🙏", []string{"thanks", "🙏", "🙏"}},
		{"I❤NY", []string{"I❤NY"}},
		{"👍great", []string{"👍great"}},
		{"café", []string{"café"}},
		{"hello", []string{"hello"}},
		{"→→", []string{"→→"}},
	}
	for _, tt := range tests {
		pieces := emojiPieces(tt.tok)
		if pieces == nil {
			pieces = [][2]int{{0, len(tt.tok)}} // whole
		}
		var got []string
		for _, p := range pieces {
			got = append(got, tt.tok[p[0]:p[1]])
		}
		assert.Equal(t, tt.want, got, "%q", tt.tok)
	}
}
