package nlp

import (
	"testing"
	"unicode/utf8"
)

// FuzzAnalyze checks that Analyze never panics and always returns a
// well-formed analysis: valid UTF-8, offsets that slice to the match text,
// themes in order, scores in range.
func FuzzAnalyze(f *testing.F) {
	for _, v := range verbatims(f) {
		f.Add(v)
	}
	for _, v := range tokenizerTexts {
		f.Add(v)
	}
	a := analyzer(f)
	f.Fuzz(func(t *testing.T, text string) {
		an := a.Analyze(text)
		if !utf8.ValidString(an.Text) {
			t.Fatalf("invalid UTF-8 in %q", an.Text)
		}
		checkInvariants(t, an)
		red, pii := a.Redact(text)
		if pii == nil || (utf8.ValidString(text) && len(text) <= DefaultMaxTextBytes && red != an.Text) {
			t.Fatalf("Redact %q != Analyze text %q", red, an.Text)
		}
	})
}
