package lang

import (
	"bytes"
	"compress/gzip"
	_ "embed" // english_words.txt.gz
	"io"
	"sort"
	"strings"
	"sync"
)

// englishWordsGz is the lower-case entries of SCOWL's American English list
// as Debian's wamerican package (2020.12.07) ships it, without possessives:
// 63,993 words, one per line, sorted, gzipped. See NOTICE for its terms.
// Made from /usr/share/dict/american-english by keeping the lines with no
// apostrophe and no upper-case letter (Python's w == w.lower()).
//
//go:embed english_words.txt.gz
var englishWordsGz []byte

// webWords are words of online feedback that the list lacks.
const webWords = `lol lmao omg btw thx pls plz u ur gr8 ok okay app apps wifi login logins logout
signup email emails online website websites smartphone smartphones covid chatbot chatbots ui ux
faq faqs checkout inbox username usernames iphone ipad android tbh imo imho idk fyi asap dm dms
sms otp wtf meh nah yeah yep nope yup ppl wanna gonna gotta kinda sorta cuz bc wont dont cant
didnt doesnt isnt wasnt im ive youre theyre thats whats aint ya tho thru usb hdmi gps pc tv dvd
ssd ram cpu gpu bluetooth vpn api sso pdf url`

// wordList is a sorted list of words held without pointers, so that the
// collector has nothing to scan in it: the words in one string, and where
// each starts.
type wordList struct {
	text   string   // the words, each followed by '\n'
	starts []uint32 // offsets into text, in sorted order of the words
}

func (l *wordList) has(w string) bool {
	i := sort.Search(len(l.starts), func(i int) bool { return l.at(i) >= w })
	return i < len(l.starts) && l.at(i) == w
}

func (l *wordList) at(i int) string {
	s := l.text[l.starts[i]:]
	return s[:strings.IndexByte(s, '\n')]
}

var englishWords = sync.OnceValue(func() *wordList {
	zr, err := gzip.NewReader(bytes.NewReader(englishWordsGz))
	if err != nil {
		panic("lang: english_words.txt.gz: " + err.Error()) // embedded: cannot happen
	}
	var b strings.Builder
	if _, err := io.Copy(&b, zr); err != nil {
		panic("lang: english_words.txt.gz: " + err.Error())
	}
	l := &wordList{text: b.String(), starts: make([]uint32, 0, 64000)}
	for i := 0; i < len(l.text); {
		l.starts = append(l.starts, uint32(i))
		i += strings.IndexByte(l.text[i:], '\n') + 1
	}
	return l
})

var webWordSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(webWords) {
		m[w] = true
	}
	return m
}()

// IsEnglishWord reports whether the lower-case word is in an English word
// list (SCOWL's, about 64,000 words, plus common web words: "app", "login",
// "lol"). Names, brands and typos are not.
// A contraction counts by its first part ("i've", "could've"), and letters
// repeated for emphasis are tried once and twice ("sooo", "loooove").
func IsEnglishWord(lower string) bool {
	words := englishWords()
	has := func(w string) bool { return webWordSet[w] || words.has(w) }
	if has(lower) {
		return true
	}
	if i := strings.IndexAny(lower, "'’"); i > 0 {
		return has(lower[:i])
	}
	if once, twice, ok := squeeze(lower); ok {
		return has(once) || has(twice)
	}
	return false
}

// squeeze returns s with every run of three or more equal bytes cut to one
// and to two, and whether there was such a run.
func squeeze(s string) (once, twice string, ok bool) {
	var b1, b2 []byte
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i >= 3 {
			ok = true
			b1 = append(b1, s[i])
			b2 = append(b2, s[i], s[i])
		} else {
			b1 = append(b1, s[i:j]...)
			b2 = append(b2, s[i:j]...)
		}
		i = j
	}
	return string(b1), string(b2), ok
}
