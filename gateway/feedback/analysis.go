package feedback

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentiment labels.
const (
	SentimentPositive = "positive"
	SentimentNeutral  = "neutral"
	SentimentNegative = "negative"
	SentimentMixed    = "mixed"
)

// Sentiment is a polarity score in -1..1 and its label.
type Sentiment struct {
	Score float64 `json:"score"`
	Label string  `json:"label"`
}

// Validate checks the score range and the label.
func (s *Sentiment) Validate() error {
	if math.IsNaN(s.Score) || s.Score < -1 || s.Score > 1 {
		return fmt.Errorf("score %v outside -1..1", s.Score)
	}
	switch s.Label {
	case SentimentPositive, SentimentNeutral, SentimentNegative, SentimentMixed:
		return nil
	}
	return fmt.Errorf("label %q is not positive, neutral, negative or mixed", s.Label)
}

// Match is one span of the text that triggered a theme.
type Match struct {
	Text  string `json:"text"`
	Start int    `json:"start"` // byte offset into Record.Text
	End   int    `json:"end"`   // byte offset, exclusive
}

// Theme is one CX theme found in the text.
type Theme struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	Group      string     `json:"group,omitempty"`
	Confidence float64    `json:"confidence"`
	Sentiment  *Sentiment `json:"sentiment,omitempty"`
	Matches    []Match    `json:"matches"`
}

// Analysis is what the NLP stage says about one text.
type Analysis struct {
	Text      string         `json:"text"` // the text with PII replaced by typed placeholders
	Language  string         `json:"language,omitempty"`
	Themes    []Theme        `json:"themes"`
	Sentiment *Sentiment     `json:"sentiment,omitempty"`
	PII       map[string]int `json:"pii"`
	Phrases   []string       `json:"phrases,omitempty"`
}

// Analyzer is what the NLP stage offers records (nlp.Analyzer is one).
type Analyzer interface {
	Analyze(text string) Analysis
	Redact(text string) (string, map[string]int)
}

// Analyze repairs invalid UTF-8 in the text, applies a's analysis of it and
// redacts every answer's text.
func (r *Record) Analyze(a Analyzer) {
	r.Apply(a.Analyze(validUTF8(r.Text)))
	for i := range r.Answers {
		r.Answers[i].Text, _ = a.Redact(validUTF8(r.Answers[i].Text))
	}
}

// validUTF8 is s with each run of invalid UTF-8 replaced by U+FFFD. Text is
// nearly always valid, and utf8.ValidString checks that several times
// faster than strings.ToValidUTF8 rebuilds it.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// DefaultTimes sets an empty received_at to at and an empty occurred_at to
// received_at.
func (r *Record) DefaultTimes(at time.Time) {
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = at
	}
	if r.OccurredAt.IsZero() {
		r.OccurredAt = r.ReceivedAt
	}
}
