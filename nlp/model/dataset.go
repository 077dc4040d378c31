package model

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Example is one labeled text.
type Example struct {
	ID   string `json:"id,omitempty"`
	Text string `json:"text"`
	// Themes are the labels (theme ids, or dataset categories), distinct,
	// in order of first appearance.
	Themes []string `json:"themes"`
	// Polarity is the text's overall polarity when the source says so:
	// "positive", "negative" or "neutral" if every opinion in it has that
	// polarity, "" otherwise (mixed, conflict or unknown).
	Polarity string `json:"polarity,omitempty"`
}

// Formats accepted by ReadExamples.
const (
	FormatJSONL       = "jsonl"
	FormatSemEval2014 = "semeval2014"
	FormatSemEval2015 = "semeval2015"
)

// ReadExamples reads examples in one of the Formats.
func ReadExamples(format string, r io.Reader) ([]Example, error) {
	switch format {
	case FormatJSONL:
		return ReadJSONL(r)
	case FormatSemEval2014:
		return ReadSemEval2014(r)
	case FormatSemEval2015:
		return ReadSemEval2015(r)
	}
	return nil, fmt.Errorf("model: unknown format %q (want %s, %s or %s)", format, FormatJSONL, FormatSemEval2014, FormatSemEval2015)
}

// ReadJSONL reads one JSON object a line: {"text": "...", "themes": [...]}
// with optional "id" and "polarity" (positive, negative or neutral). Blank lines are skipped; a line that is
// not such an object is an error naming the line.
func ReadJSONL(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var raw struct {
			ID       json.RawMessage `json:"id"`
			Text     *string         `json:"text"`
			Themes   []string        `json:"themes"`
			Polarity string          `json:"polarity"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("model: jsonl line %d: %w", line, err)
		}
		if raw.Text == nil {
			return nil, fmt.Errorf("model: jsonl line %d: no \"text\"", line)
		}
		switch raw.Polarity {
		case "", "positive", "negative", "neutral":
		default:
			return nil, fmt.Errorf("model: jsonl line %d: polarity %q, want positive, negative, neutral or nothing", line, raw.Polarity)
		}
		ex := Example{Text: *raw.Text, Polarity: raw.Polarity}
		if len(raw.ID) > 0 {
			var s string
			if json.Unmarshal(raw.ID, &s) == nil {
				ex.ID = s
			} else {
				ex.ID = string(raw.ID)
			}
		}
		for _, t := range raw.Themes {
			if strings.TrimSpace(t) == "" {
				return nil, fmt.Errorf("model: jsonl line %d: empty theme", line)
			}
			if !slices.Contains(ex.Themes, t) {
				ex.Themes = append(ex.Themes, t)
			}
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("model: jsonl line %d: %w", line+1, err)
	}
	if len(out) == 0 {
		return nil, errors.New("model: jsonl: no examples")
	}
	return out, nil
}

// ReadSemEval2014 reads a SemEval-2014 Task 4 file: every <sentence> with
// its <aspectCategories> as themes (restaurants: food, service, price,
// ambience, anecdotes/miscellaneous). Files without categories (laptops)
// give examples with no themes.
func ReadSemEval2014(r io.Reader) ([]Example, error) {
	var doc struct {
		Sentences []struct {
			ID         string `xml:"id,attr"`
			Text       string `xml:"text"`
			Categories []struct {
				Category string `xml:"category,attr"`
				Polarity string `xml:"polarity,attr"`
			} `xml:"aspectCategories>aspectCategory"`
			Terms []struct {
				Polarity string `xml:"polarity,attr"`
			} `xml:"aspectTerms>aspectTerm"`
		} `xml:"sentence"`
	}
	if err := xml.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("model: semeval2014: %w", err)
	}
	if len(doc.Sentences) == 0 {
		return nil, errors.New("model: semeval2014: no <sentence> elements")
	}
	out := make([]Example, 0, len(doc.Sentences))
	for _, s := range doc.Sentences {
		ex := Example{ID: s.ID, Text: s.Text}
		var pols []string
		for _, c := range s.Categories {
			if !slices.Contains(ex.Themes, c.Category) {
				ex.Themes = append(ex.Themes, c.Category)
			}
			pols = append(pols, c.Polarity)
		}
		for _, t := range s.Terms {
			pols = append(pols, t.Polarity)
		}
		ex.Polarity = agree(pols)
		out = append(out, ex)
	}
	return out, nil
}

// ReadSemEval2015 reads a SemEval-2015 Task 12 file: every sentence of every
// review, with its opinions' ENTITY#ATTRIBUTE categories as themes.
// Sentences marked OutOfScope, and sentences without opinions, are kept
// with no themes.
func ReadSemEval2015(r io.Reader) ([]Example, error) {
	var doc struct {
		Reviews []struct {
			Sentences []struct {
				ID       string `xml:"id,attr"`
				Text     string `xml:"text"`
				Opinions []struct {
					Category string `xml:"category,attr"`
					Polarity string `xml:"polarity,attr"`
				} `xml:"Opinions>Opinion"`
			} `xml:"sentences>sentence"`
		} `xml:"Review"`
	}
	if err := xml.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("model: semeval2015: %w", err)
	}
	var out []Example
	for _, rv := range doc.Reviews {
		for _, s := range rv.Sentences {
			ex := Example{ID: s.ID, Text: s.Text}
			var pols []string
			for _, o := range s.Opinions {
				if !slices.Contains(ex.Themes, o.Category) {
					ex.Themes = append(ex.Themes, o.Category)
				}
				pols = append(pols, o.Polarity)
			}
			ex.Polarity = agree(pols)
			out = append(out, ex)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("model: semeval2015: no <sentence> elements")
	}
	return out, nil
}

// agree returns "positive", "negative" or "neutral" if every polarity is
// that one.
func agree(pols []string) string {
	if len(pols) == 0 {
		return ""
	}
	for _, p := range pols[1:] {
		if p != pols[0] {
			return ""
		}
	}
	switch pols[0] {
	case "positive", "negative", "neutral":
		return pols[0]
	}
	return ""
}
