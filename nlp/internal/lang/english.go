package lang

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed" // english_words.txt.gz
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

var englishWords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(englishWordsGz))
	if err != nil {
		panic("lang: english_words.txt.gz: " + err.Error()) // embedded: cannot happen
	}
	m := make(map[string]struct{}, 64500)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		m[sc.Text()] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		panic("lang: english_words.txt.gz: " + err.Error())
	}
	for _, w := range strings.Fields(webWords) {
		m[w] = struct{}{}
	}
	return m
})

// IsEnglishWord reports whether the lower-case word is in an English word
// list (SCOWL's, about 64,000 words, plus common web words: "app", "login",
// "lol"). Names, brands and typos are not.
// A contraction counts by its first part ("i've", "could've"), and letters
// repeated for emphasis are tried once and twice ("sooo", "loooove").
func IsEnglishWord(lower string) bool {
	words := englishWords()
	if _, ok := words[lower]; ok {
		return true
	}
	if i := strings.IndexAny(lower, "'’"); i > 0 {
		_, ok := words[lower[:i]]
		return ok
	}
	if once, twice, ok := squeeze(lower); ok {
		_, ok1 := words[once]
		_, ok2 := words[twice]
		return ok1 || ok2
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
