package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/corridorhq/corridor/nlp"
)

// languagesJSONL is 350 short made-up feedback texts, one JSON object per
// line with its language ({"lang":"da","text":"..."}): 15 in each of 17
// languages nlp names besides English, 5 in Slovak (named since), 5 in
// each of 6 it does not (ca, hr, et, lt, sw, tl) and 60 in English. They
// were written for this row, not taken from any data set, and were looked
// at while the detection was built, so they are a development set, not a
// test set.
//
//go:embed languages.jsonl
var languagesJSONL []byte

// knownLanguages are the Latin-script languages nlp names from words.
var knownLanguages = []string{"es", "fr", "de", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "sk", "ro", "tr", "id", "hu", "vi"}

// languages scores language detection and the rule that non-English text
// gets no English analysis.
func languages(a *nlp.Analyzer) ([]row, error) {
	var known, knownOK, other, noGuess, english, englishOK, wrongCode int
	sc := bufio.NewScanner(bytes.NewReader(languagesJSONL))
	for sc.Scan() {
		var ex struct{ Lang, Text string }
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			return nil, fmt.Errorf("languages.jsonl: %w", err)
		}
		an := a.Analyze(ex.Text)
		switch {
		case ex.Lang == "en":
			english++
			if an.Sentiment != nil && (an.Language == "en" || an.Language == "") {
				englishOK++
			}
		default:
			other++
			if an.Sentiment == nil {
				noGuess++
			}
			if an.Language != "" && an.Language != ex.Lang {
				wrongCode++
			}
			if slices.Contains(knownLanguages, ex.Lang) {
				known++
				if an.Language == ex.Lang {
					knownOK++
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("languages.jsonl: %w", err)
	}
	if known == 0 || other == 0 || english == 0 {
		return nil, fmt.Errorf("languages.jsonl: %d known, %d other, %d English texts", known, other, english)
	}
	const data = "made-up feedback, 24 languages"
	return []row{
		{data: data, system: "language named (18 known, not en)", n: known, acc: float64(knownOK) / float64(known), isAcc: true,
			note: "the rest get \"\" (too short or ambiguous)"},
		{data: data, system: "no English analysis (non-English)", n: other, acc: float64(noGuess) / float64(other), isAcc: true,
			note: fmt.Sprintf("%d given a wrong language code", wrongCode)},
		{data: data, system: "English analysed (English)", n: english, acc: float64(englishOK) / float64(english), isAcc: true,
			note: "language en or \"\", with a sentiment"},
	}, nil
}
