package feedback

import (
	"fmt"
	"math"
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
