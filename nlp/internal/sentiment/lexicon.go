package sentiment

import (
	"bufio"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:embed vader_lexicon.tsv
var vaderTSV string

//go:embed cx_lexicon.tsv
var cxTSV string

// VADER constants.
const (
	bIncr          = 0.293 // booster increment
	cIncr          = 0.733 // ALL CAPS emphasis
	nScalar        = -0.74 // negation
	alpha          = 15    // compound normalization
	epAmplify      = 0.292
	qmAmplify      = 0.18
	maxEP          = 4
	maxQM          = 0.96
	butBefore      = 0.5
	butAfter       = 1.5
	eventNegated   = -1.8 // "never arrived", "no reply"
	lookback       = 3
	scaleLookback1 = 0.95
	scaleLookback2 = 0.9
)

// Flags describe how a word takes part in scoring.
type Flags uint16

// Word flags.
const (
	InLexicon Flags = 1 << iota // has an entry (VADER's "in lexicon")
	Negation                    // not, never, n't, nobody...
	Booster                     // very, really, slightly...
	Event                       // expected event: negative when negated
	Contrast                    // but
	Gated                       // like: sentiment only after a subject
	NGramTail                   // ends some n-gram entry
	No                          // the word "no"
	Least                       // the word "least"
)

// Entry is what the lexicon knows about one lower-case word.
type Entry struct {
	Valence float64 // VADER scale, about -4..4
	Booster float64 // increment for the next sentiment word if Booster
	Flags   Flags
}

type ngram struct{ a, b, c string }

// Lexicon holds word entries and n-grams. It is read-only after load and
// safe for concurrent use.
type Lexicon struct {
	words  map[string]Entry
	ngrams map[ngram]float64
}

var vaderBoosters = map[string]float64{
	"absolutely": bIncr, "amazingly": bIncr, "awfully": bIncr, "completely": bIncr,
	"considerable": bIncr, "considerably": bIncr, "decidedly": bIncr, "deeply": bIncr,
	"effing": bIncr, "enormous": bIncr, "enormously": bIncr, "entirely": bIncr,
	"especially": bIncr, "exceptional": bIncr, "exceptionally": bIncr, "extreme": bIncr,
	"extremely": bIncr, "fabulously": bIncr, "flipping": bIncr, "flippin": bIncr,
	"frackin": bIncr, "fracking": bIncr, "fricking": bIncr, "frickin": bIncr,
	"frigging": bIncr, "friggin": bIncr, "fully": bIncr, "fuckin": bIncr, "fucking": bIncr,
	"fuggin": bIncr, "fugging": bIncr, "greatly": bIncr, "hella": bIncr, "highly": bIncr,
	"hugely": bIncr, "incredible": bIncr, "incredibly": bIncr, "intensely": bIncr,
	"major": bIncr, "majorly": bIncr, "more": bIncr, "most": bIncr, "particularly": bIncr,
	"purely": bIncr, "quite": bIncr, "really": bIncr, "remarkably": bIncr, "so": bIncr,
	"substantially": bIncr, "thoroughly": bIncr, "total": bIncr, "totally": bIncr,
	"tremendous": bIncr, "tremendously": bIncr, "uber": bIncr, "unbelievably": bIncr,
	"unusually": bIncr, "utter": bIncr, "utterly": bIncr, "very": bIncr,
	"almost": -bIncr, "barely": -bIncr, "hardly": -bIncr, "kinda": -bIncr, "kindof": -bIncr,
	"kind-of": -bIncr, "less": -bIncr, "little": -bIncr, "marginal": -bIncr,
	"marginally": -bIncr, "occasional": -bIncr, "occasionally": -bIncr, "partly": -bIncr,
	"scarce": -bIncr, "scarcely": -bIncr, "slight": -bIncr, "slightly": -bIncr,
	"somewhat": -bIncr, "sorta": -bIncr, "sortof": -bIncr, "sort-of": -bIncr,
}

var vaderNegations = []string{
	"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
	"ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
	"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
	"don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
	"neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
	"oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
	"without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom",
}

// Default returns the embedded lexicon, parsed once.
var Default = sync.OnceValue(func() *Lexicon {
	l, err := parse()
	if err != nil {
		panic(err) // embedded data; covered by tests
	}
	return l
})

func parse() (*Lexicon, error) {
	l := &Lexicon{words: make(map[string]Entry, 8000), ngrams: map[ngram]float64{}}
	for line := range strings.Lines(vaderTSV) {
		w, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), "\t")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("vader lexicon %q: %w", w, err)
		}
		l.words[w] = Entry{Valence: f}
	}
	for w, b := range vaderBoosters {
		e := l.words[w]
		e.Booster, e.Flags = b, e.Flags|Booster
		l.words[w] = e
	}
	for _, w := range vaderNegations {
		e := l.words[w]
		e.Flags |= Negation
		l.words[w] = e
	}
	sc := bufio.NewScanner(strings.NewReader(cxTSV))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) < 2 {
			return nil, fmt.Errorf("cx lexicon line %d: want term<TAB>value", n)
		}
		f, err := strconv.ParseFloat(parts[1], 64)
		if err != nil {
			return nil, fmt.Errorf("cx lexicon line %d: %w", n, err)
		}
		kind := ""
		if len(parts) > 2 {
			kind = parts[2]
		}
		if words := strings.Fields(parts[0]); len(words) > 1 {
			if len(words) > 3 || kind != "" {
				return nil, fmt.Errorf("cx lexicon line %d: n-grams have up to 3 words and no kind", n)
			}
			g := ngram{a: words[0], b: words[1]}
			if len(words) == 3 {
				g = ngram{a: words[0], b: words[1], c: words[2]}
			}
			l.ngrams[g] = f
			last := words[len(words)-1]
			e := l.words[last]
			e.Flags |= NGramTail
			l.words[last] = e
			continue
		}
		w := parts[0]
		e := l.words[w]
		switch kind {
		case "":
			e.Valence = f
		case "event":
			e.Valence, e.Flags = f, e.Flags|Event
		case "booster":
			e.Valence, e.Booster, e.Flags = 0, f, e.Flags|Booster
		case "negation":
			e.Valence, e.Flags = 0, e.Flags|Negation
		case "contrast":
			e.Valence, e.Flags = 0, e.Flags|Contrast
		case "gated":
			e.Valence, e.Flags = f, e.Flags|Gated
		default:
			return nil, fmt.Errorf("cx lexicon line %d: unknown kind %q", n, kind)
		}
		l.words[w] = e
	}
	for w, e := range l.words {
		if e.Valence != 0 || e.Flags&(Event|Gated) != 0 {
			e.Flags |= InLexicon
		}
		switch w {
		case "no":
			e.Flags |= No
		case "least":
			e.Flags |= Least
		}
		l.words[w] = e
	}
	return l, nil
}

// Lookup returns the entry for a lower-case word; the zero Entry if unknown.
func (l *Lexicon) Lookup(lower string) Entry { return l.words[lower] }

// Len returns the number of word entries.
func (l *Lexicon) Len() int { return len(l.words) }
