package jotform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "jotform"

// Multipart fields Jotform sends.
const (
	FieldFormID       = "formID"
	FieldSubmissionID = "submissionID"
	FieldType         = "type"
	FieldFormTitle    = "formTitle"
	FieldRawRequest   = "rawRequest"
)

// Heuristic limits; see README.
const (
	longTextRunes  = 40  // a string this long with several words is text
	longTextSpaces = 4   // … and at least this many spaces
	maxAttrRunes   = 100 // longer non-text strings are not copied to attributes
)

// NewFactory returns the Jotform connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindSurvey, New: newDecoder}
}

type decoder struct {
	name    string
	secrets []string
	opts    options
}

var (
	_ connectors.Decoder  = (*decoder)(nil)
	_ connectors.Verifier = (*decoder)(nil)
	_ connectors.Signer   = (*decoder)(nil)
)

func newDecoder(cfg connectors.SourceConfig, set connectors.Settings) (connectors.Decoder, error) {
	opts, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, fmt.Errorf("jotform: %w", err)
	}
	return &decoder{name: wire.SourceName(set, Type), secrets: append([]string(nil), cfg.Secrets...), opts: opts}, nil
}

// Decode turns one submission into one survey record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("jotform: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	fields, err := connectors.DecodeMultipart(req)
	if err != nil {
		return feedback.Record{}, err
	}
	submissionID := strings.TrimSpace(fields[FieldSubmissionID])
	if submissionID == "" {
		return feedback.Record{}, connectors.FieldError(FieldSubmissionID, "missing")
	}
	raw, ok := fields[FieldRawRequest]
	if !ok || strings.TrimSpace(raw) == "" {
		return feedback.Record{}, connectors.FieldError(FieldRawRequest, "missing")
	}
	questions, err := parseRawRequest(raw)
	if err != nil {
		return feedback.Record{}, err
	}

	rec := feedback.New(d.name, feedback.KindSurvey, submissionID)
	rec.ReceivedAt = req.ReceivedAt
	// Jotform sends no submission time; the receive time is the closest.
	rec.OccurredAt = req.ReceivedAt
	if err := d.answers(&rec, questions); err != nil {
		return feedback.Record{}, err
	}
	wire.SetAttr(&rec, "form_id", strings.TrimSpace(fields[FieldFormID]))
	wire.SetAttr(&rec, "form_title", strings.TrimSpace(fields[FieldFormTitle]))
	wire.SetAttr(&rec, "submission_type", strings.ToLower(strings.TrimSpace(fields[FieldType])))
	return rec, nil
}

// question is one q<N>_<name> entry of rawRequest.
type question struct {
	key   string // q<N>_<name>
	n     int
	name  string
	words []string
	value json.RawMessage
}

// parseRawRequest decodes the rawRequest JSON object with the same bounds
// as a JSON body and returns its q<N>_<name> entries ordered by N.
func parseRawRequest(raw string) ([]question, error) {
	var m map[string]json.RawMessage
	inner := connectors.Request{ContentType: "application/json", Body: []byte(raw)}
	if err := connectors.DecodeJSON(inner, &m); err != nil {
		return nil, connectors.Malformedf("%s: %v", FieldRawRequest, strings.TrimPrefix(err.Error(), connectors.ErrMalformed.Error()+": "))
	}
	if m == nil {
		return nil, connectors.FieldError(FieldRawRequest, "is not a JSON object")
	}
	var qs []question
	for k, v := range m {
		rest, ok := strings.CutPrefix(k, "q")
		if !ok {
			continue // slug, buildDate, jsExecutionTracker, event_id, …
		}
		num, name, ok := strings.Cut(rest, "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 0 || name == "" {
			continue
		}
		qs = append(qs, question{key: k, n: n, name: name, words: words(name), value: v})
	}
	sort.Slice(qs, func(i, j int) bool {
		if qs[i].n != qs[j].n {
			return qs[i].n < qs[j].n
		}
		return qs[i].key < qs[j].key
	})
	return qs, nil
}

// Word lists of the heuristics; see README.
var (
	personalWords = set("name", "first", "last", "middle", "prefix", "suffix", "fullname", "firstname", "lastname", "surname",
		"email", "mail", "phone", "mobile", "telephone", "tel", "cell", "address", "street", "city", "zip", "postal", "postcode",
		"ip", "signature", "birth", "birthday", "dob", "ssn", "passport")
	npsWords    = set("nps", "recommend", "recommendation", "likely", "likelihood")
	ratingWords = set("rating", "rate", "rated", "score", "stars", "star", "satisfaction", "satisfied", "csat")
	textWords   = set("comment", "comments", "feedback", "message", "suggestion", "suggestions", "why", "describe",
		"description", "improve", "improvement", "improvements", "reason", "anything", "else", "tell", "explain", "thoughts",
		"details", "experience", "issue", "issues", "problem", "problems", "complaint", "review", "other", "additional",
		"notes", "note", "opinion", "wrong", "better")
)

// answers fills Text, Answers, Score and the answer.<key> attributes.
func (d *decoder) answers(rec *feedback.Record, qs []question) error {
	var (
		texts                  []string
		nps, rating            *feedback.Score
		npsAt, rateAt, rateLit string
	)
	for _, q := range qs {
		if anyIn(q.words, personalWords) || wire.Personal(q.name) {
			continue // names, emails, phones, addresses: never copied
		}
		s, scalar := scalarOf(q.value)
		if !scalar || s == "" || looksPersonal(s) {
			continue // objects (name, address, date, matrix), lists (checkboxes, uploads)
		}
		num, isNum := number(s)

		switch {
		case d.opts.scoreField != "" && q.key == d.opts.scoreField:
			if !isNum {
				return connectors.Malformedf("%s.%s: %.40q is not a number", FieldRawRequest, q.key, s)
			}
			sc, err := feedback.NewScore(d.opts.scoreType, num, d.opts.scoreMin, d.opts.scoreMax)
			if err != nil {
				return connectors.Malformedf("%s.%s: %s score: %v", FieldRawRequest, q.key, d.opts.scoreType, err)
			}
			rec.Score = sc
			wire.SetAttr(rec, "score_field", q.key)
			continue
		case d.opts.textFields != nil:
			if d.opts.textFields[q.key] {
				texts = append(texts, s)
				rec.Answers = append(rec.Answers, feedback.Answer{Field: q.key, Text: s})
				continue
			}
		case isNum:
		case anyIn(q.words, textWords) || long(s):
			texts = append(texts, s)
			rec.Answers = append(rec.Answers, feedback.Answer{Field: q.key, Text: s})
			continue
		}

		if isNum && d.opts.scoreField == "" {
			switch {
			case nps == nil && anyIn(q.words, npsWords) && num >= 0 && num <= 10:
				nps, _ = feedback.NewScore(feedback.ScoreNPS, num, 0, 10)
				npsAt = q.key
				continue
			case rating == nil && anyIn(q.words, ratingWords) && num >= 1 && num <= 5:
				rating, _ = feedback.NewScore(feedback.ScoreRating, num, 1, 5)
				rateAt, rateLit = q.key, s
				continue
			}
		}
		if utf8.RuneCountInString(s) <= maxAttrRunes {
			wire.SetAttr(rec, "answer."+q.key, s)
		}
	}
	rec.Text = wire.JoinText(texts...)
	if d.opts.scoreField == "" {
		switch {
		case nps != nil:
			rec.Score = nps
			wire.SetAttr(rec, "score_field", npsAt)
			if rating != nil {
				wire.SetAttr(rec, "answer."+rateAt, rateLit)
			}
		case rating != nil:
			rec.Score = rating
			wire.SetAttr(rec, "score_field", rateAt)
		}
	}
	return nil
}

// scalarOf returns a string or number value as trimmed text; ok is false
// for objects, arrays, booleans and null.
func scalarOf(raw json.RawMessage) (string, bool) {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "", false
	}
	switch c := b[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			return "", false
		}
		return strings.TrimSpace(s), true
	case c == '-' || (c >= '0' && c <= '9'):
		return string(b), true
	}
	return "", false
}

// number parses a numeric answer ("4", "4.5"); NaN and infinities are not
// numbers.
func number(s string) (float64, bool) {
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

// long reports whether s reads like a sentence rather than a short answer.
func long(s string) bool {
	return utf8.RuneCountInString(s) >= longTextRunes && strings.Count(s, " ") >= longTextSpaces
}

// looksPersonal reports whether a value is an email address or a phone
// number, whatever its question is called.
func looksPersonal(s string) bool {
	if strings.Contains(s, "@") && !strings.ContainsAny(s, " \t\n") {
		return true
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-().", r):
		default:
			return false
		}
	}
	return digits >= 7
}

// words splits a Jotform question name ("howLikely", "overall_satisfaction",
// "NPS2") into lower-case words.
func words(name string) []string {
	var (
		out  []string
		cur  []rune
		prev rune
	)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			flush()
			cur = append(cur, r)
		case unicode.IsDigit(r) != unicode.IsDigit(prev) && len(cur) > 0:
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func anyIn(words []string, in map[string]bool) bool {
	for _, w := range words {
		if in[w] {
			return true
		}
	}
	return false
}
