package nlp

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"gopkg.in/yaml.v3"
)

//go:embed taxonomy/default.yaml
var defaultTaxonomy []byte

// DefaultTaxonomy returns the embedded default taxonomy YAML, a starting point
// for user taxonomies.
func DefaultTaxonomy() []byte { return slices.Clone(defaultTaxonomy) }

// taxonomyFile is the YAML form of a taxonomy.
type taxonomyFile struct {
	Version int         `yaml:"version"`
	Extends string      `yaml:"extends"`
	Themes  []themeSpec `yaml:"themes"`
}

type themeSpec struct {
	ID      string   `yaml:"id"`
	Label   string   `yaml:"label"`
	Group   string   `yaml:"group"`
	Terms   []string `yaml:"terms"`
	Exclude []string `yaml:"exclude"`
}

const (
	maxIDLen     = 64
	maxTermWords = 6
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// parsedDefault is the embedded taxonomy, parsed once. Callers must not
// modify it.
var parsedDefault = sync.OnceValues(func() (*taxonomyFile, error) { return parseTaxonomy(defaultTaxonomy) })

// loadTaxonomy reads the taxonomy at path, or the embedded default when path
// is empty, and resolves `extends: default`.
func loadTaxonomy(path string) ([]themeSpec, error) {
	def, err := parsedDefault()
	if err != nil {
		return nil, fmt.Errorf("default taxonomy: %w", err)
	}
	if path == "" {
		return slices.Clone(def.Themes), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	tf, err := parseTaxonomy(b)
	if err != nil {
		return nil, fmt.Errorf("taxonomy %s: %w", path, err)
	}
	if tf.Extends == "" {
		return tf.Themes, nil
	}
	themes := slices.Clone(def.Themes)
	for _, t := range tf.Themes {
		if i := slices.IndexFunc(themes, func(d themeSpec) bool { return d.ID == t.ID }); i >= 0 {
			themes[i] = t
		} else {
			themes = append(themes, t)
		}
	}
	return themes, nil
}

// parseTaxonomy decodes and validates one taxonomy file. Unknown fields are
// errors, so a misspelt key does not silently drop terms.
func parseTaxonomy(b []byte) (*taxonomyFile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var tf taxonomyFile
	if err := dec.Decode(&tf); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	return &tf, tf.validate()
}

// validate returns errors.Join of every problem, each naming the theme.
func (tf *taxonomyFile) validate() error {
	var errs []error
	if tf.Version != 1 {
		errs = append(errs, fmt.Errorf("version: got %d, want 1", tf.Version))
	}
	if tf.Extends != "" && tf.Extends != "default" {
		errs = append(errs, fmt.Errorf("extends: %q, want \"default\" or nothing", tf.Extends))
	}
	if len(tf.Themes) == 0 {
		errs = append(errs, errors.New("themes: none"))
	}
	seen := map[string]int{}
	for i, t := range tf.Themes {
		name := fmt.Sprintf("theme #%d", i+1)
		if t.ID != "" {
			name = fmt.Sprintf("theme %q", t.ID)
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf(name+": "+format, args...))
		}
		switch {
		case t.ID == "":
			bad("id: empty")
		case len(t.ID) > maxIDLen:
			bad("id: longer than %d bytes", maxIDLen)
		case !snakeCase.MatchString(t.ID):
			bad("id: not snake_case (lower-case letters, digits and single underscores, starting with a letter)")
		}
		if j, dup := seen[t.ID]; dup && t.ID != "" {
			bad("id: duplicate of theme #%d", j+1)
		}
		seen[t.ID] = i
		if strings.TrimSpace(t.Label) == "" {
			bad("label: empty")
		}
		if len(t.Terms) == 0 {
			bad("terms: none")
		}
		for k, term := range t.Terms {
			if err := checkTerm(term); err != nil {
				bad("terms[%d]: %v", k, err)
			}
		}
		for k, term := range t.Exclude {
			if err := checkTerm(term); err != nil {
				bad("exclude[%d]: %v", k, err)
			}
		}
	}
	return errors.Join(errs...)
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func checkTerm(term string) error {
	switch n := len(strings.Fields(term)); {
	case n == 0:
		return errors.New("empty")
	case n > maxTermWords:
		return fmt.Errorf("%q has more than %d words", term, maxTermWords)
	}
	if !strings.ContainsFunc(term, isLetterOrDigit) {
		return fmt.Errorf("%q has no letters or digits", term)
	}
	if !slices.ContainsFunc(strings.Fields(term), func(w string) bool { return w != numberWord }) {
		return fmt.Errorf("%q has no word but %s, which would match every number", term, numberWord)
	}
	return nil
}

// compiled taxonomy ---------------------------------------------------------

// term is one term or exclusion of a theme as a sequence of vocabulary ids
// (stems, or exact word forms).
type term struct {
	theme   int
	stems   []int32
	exclude bool
}

type taxonomy struct {
	themes []ThemeInfo
	terms  []term
	// byFirst[id] lists the terms whose first stem is vocabulary id, longest
	// first.
	byFirst [][]int32
	vocab   map[string]int32
	maxLen  int // tokens in the longest term
}

// compileTaxonomy tokenizes every term with the analyzer's own tokenizer, so
// terms and texts are normalized the same way.
func compileTaxonomy(specs []themeSpec, tk *tokenizer) (*taxonomy, error) {
	tx := &taxonomy{vocab: map[string]int32{}}
	var errs []error
	add := func(ti int, text string, exclude bool) {
		toks := tk.tokenizeTerm(text)
		if len(toks) == 0 {
			errs = append(errs, fmt.Errorf("theme %q: term %q: no tokens", specs[ti].ID, text))
			return
		}
		stems := make([]int32, len(toks))
		for i, st := range toks {
			id, ok := tx.vocab[st]
			if !ok {
				id = int32(len(tx.vocab))
				tx.vocab[st] = id
			}
			stems[i] = id
		}
		for _, t := range tx.terms {
			if t.theme == ti && t.exclude == exclude && slices.Equal(t.stems, stems) {
				return // same stems as an earlier term ("bill", "bills")
			}
		}
		tx.terms = append(tx.terms, term{theme: ti, stems: stems, exclude: exclude})
	}
	for i, s := range specs {
		tx.themes = append(tx.themes, ThemeInfo{ID: s.ID, Label: s.Label, Group: s.Group})
		for _, t := range s.Terms {
			add(i, t, false)
		}
		for _, t := range s.Exclude {
			add(i, t, true)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	tx.byFirst = make([][]int32, len(tx.vocab))
	for i, t := range tx.terms {
		tx.byFirst[t.stems[0]] = append(tx.byFirst[t.stems[0]], int32(i))
		tx.maxLen = max(tx.maxLen, len(t.stems))
	}
	for _, l := range tx.byFirst {
		slices.SortStableFunc(l, func(a, b int32) int { return len(tx.terms[b].stems) - len(tx.terms[a].stems) })
	}
	return tx, nil
}

// exactPrefix marks a vocabulary key that is a lower-case word form, not a
// stem: a term word written "=training" matches "training" and "Training"
// but not "train" or "trains". No stem starts with a NUL byte.
const exactPrefix = "\x00"

// numberWord is the term word that matches any number, in digits ("3",
// "40") or in words ("two", "twenty"), as in "took <n> weeks"; numberKey is
// its vocabulary key.
const (
	numberWord = "<n>"
	numberKey  = exactPrefix + "\x01<n>"
)

// spelledNumbers are the number words "<n>" matches besides digits.
var spelledNumbers = map[string]bool{
	"two": true, "three": true, "four": true, "five": true, "six": true, "seven": true, "eight": true,
	"nine": true, "ten": true, "eleven": true, "twelve": true, "fifteen": true, "twenty": true,
	"thirty": true, "forty": true, "fifty": true, "sixty": true, "ninety": true, "hundred": true,
}

// tokenizeTerm returns the vocabulary keys of a term's tokens: their stems,
// exactPrefix and the lower-case form for the tokens of a word written
// with a leading "=", or numberKey for the word "<n>".
func (t *tokenizer) tokenizeTerm(text string) []string {
	words := strings.Fields(text)
	exact := make([]bool, len(words))
	for i, w := range words {
		if len(w) > 1 && w[0] == '=' {
			words[i], exact[i] = w[1:], true
		}
	}
	var keys []string
	for i, toks := range t.compute(words) {
		if words[i] == numberWord {
			keys = append(keys, numberKey)
			continue
		}
		for _, wt := range toks {
			if exact[i] {
				keys = append(keys, exactPrefix+wt.lower)
			} else {
				keys = append(keys, wt.stem)
			}
		}
	}
	return keys
}
