package jotform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
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
	maxAttrRunes   = 100 // longer answers (a list: joined) are not copied to attributes
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
	fields, err := formFields(req)
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
	sub, err := parseRawRequest(raw)
	if err != nil {
		return feedback.Record{}, err
	}

	rec := feedback.New(d.name, feedback.KindSurvey, submissionID)
	rec.ReceivedAt = req.ReceivedAt
	rec.OccurredAt = submittedAt(sub.submitDate, req.ReceivedAt)
	if err := d.answers(&rec, sub.questions); err != nil {
		return feedback.Record{}, err
	}
	wire.SetAttr(&rec, "form_id", strings.TrimSpace(fields[FieldFormID]))
	wire.SetAttr(&rec, "form_title", strings.TrimSpace(fields[FieldFormTitle]))
	wire.SetAttr(&rec, "submission_type", strings.ToLower(strings.TrimSpace(fields[FieldType])))
	return rec, nil
}

// Media types Jotform posts with.
const (
	mediaMultipart = "multipart/form-data"
	mediaForm      = "application/x-www-form-urlencoded"
)

// formFields returns the first value of each field of a multipart or
// urlencoded body.
func formFields(req connectors.Request) (map[string]string, error) {
	switch req.ContentType {
	case mediaMultipart:
		return connectors.DecodeMultipart(req)
	case mediaForm:
	default:
		return nil, connectors.RequireMediaType(req, mediaMultipart, mediaForm)
	}
	vals, err := connectors.DecodeForm(req)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(vals))
	for k, vs := range vals {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out, nil
}

// submittedAt is the submission time: rawRequest.submitDate (Unix ms,
// stamped by the respondent's browser) when it is a valid time no later
// than the receive time plus connectors.DefaultTolerance, else the
// receive time.
func submittedAt(submitDate json.RawMessage, receivedAt time.Time) time.Time {
	var ms wire.Millis
	if wire.UnmarshalOptional(submitDate, &ms) != nil || ms <= 0 || ms > wire.MaxUnixMillis {
		return receivedAt
	}
	at := time.UnixMilli(int64(ms)).UTC()
	if at.After(receivedAt.Add(connectors.DefaultTolerance)) {
		return receivedAt
	}
	return at
}

// question is one q<N>_<name> entry of rawRequest.
type question struct {
	key   string // q<N>_<name>
	n     int
	name  string
	words []string
	value json.RawMessage
}

// submission is the part of rawRequest the decoder reads.
type submission struct {
	questions  []question      // ordered by N
	submitDate json.RawMessage // absent in older deliveries
}

// fieldSubmitDate is the rawRequest key of the submission time.
const fieldSubmitDate = "submitDate"

// parseRawRequest decodes the rawRequest JSON object with the same bounds
// as a JSON body and returns its q<N>_<name> entries ordered by N, and
// submitDate.
func parseRawRequest(raw string) (submission, error) {
	var m map[string]json.RawMessage
	inner := connectors.Request{ContentType: "application/json", Body: []byte(raw)}
	if err := connectors.DecodeJSON(inner, &m); err != nil {
		return submission{}, connectors.Malformedf("%s: %v", FieldRawRequest, strings.TrimPrefix(err.Error(), connectors.ErrMalformed.Error()+": "))
	}
	if m == nil {
		return submission{}, connectors.FieldError(FieldRawRequest, "is not a JSON object")
	}
	sub := submission{submitDate: m[fieldSubmitDate]}
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
		sub.questions = append(sub.questions, question{key: k, n: n, name: name, words: words(name), value: v})
	}
	sort.Slice(sub.questions, func(i, j int) bool {
		qs := sub.questions
		if qs[i].n != qs[j].n {
			return qs[i].n < qs[j].n
		}
		return qs[i].key < qs[j].key
	})
	return sub, nil
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
		"notes", "note", "opinion", "wrong", "better", "summary", "summarize")
)

// answers fills Text, Answers, Score and the answer.<key> attributes.
//
// Attributes are not redacted downstream, so an answer becomes one only
// when it cannot be free-form personal text: a number, or, when the
// operator lists the key in attribute_fields, a short string or a list.
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
		listed := d.opts.attrFields[q.key]
		if listed {
			if items, ok := listOf(q.value); ok {
				d.listAttr(rec, q.key, items)
				continue
			}
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
		case isNum, listed:
			// Listed keys are attributes even when their name or length
			// reads like text.
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
		d.attr(rec, q.key, s, isNum)
	}
	rec.Text = wire.JoinText(texts...)
	if d.opts.scoreField == "" {
		switch {
		case nps != nil:
			rec.Score = nps
			wire.SetAttr(rec, "score_field", npsAt)
			if rating != nil {
				d.attr(rec, rateAt, rateLit, true)
			}
		case rating != nil:
			rec.Score = rating
			wire.SetAttr(rec, "score_field", rateAt)
		}
	}
	return nil
}

// attr copies an answer as the attribute answer.<key> when it may be one:
// without attribute_fields, numbers only; with it, listed keys only. Values
// over maxAttrRunes are dropped.
func (d *decoder) attr(rec *feedback.Record, key, s string, isNum bool) {
	ok := isNum
	if d.opts.attrFields != nil {
		ok = d.opts.attrFields[key]
	}
	if ok && utf8.RuneCountInString(s) <= maxAttrRunes {
		wire.SetAttr(rec, "answer."+key, s)
	}
}

// listAttr copies the items of a listed multiple-choice answer as one
// comma-separated attribute (wire.JoinList). A list with an item that
// looks personal, or longer than maxAttrRunes once joined, is dropped.
func (d *decoder) listAttr(rec *feedback.Record, key string, items []string) {
	for _, it := range items {
		if looksPersonal(it) {
			return
		}
	}
	if s := wire.JoinList(items); utf8.RuneCountInString(s) <= maxAttrRunes {
		wire.SetAttr(rec, "answer."+key, s)
	}
}

// scalarOf returns a string or number value as trimmed text; ok is false
// for objects, arrays, booleans and null. Strings are cleaned (clean).
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
		return clean(s), true
	case c == '-' || (c >= '0' && c <= '9'):
		return string(b), true
	}
	return "", false
}

// listOf returns the cleaned, non-blank items of an array of strings (a
// checkbox answer); ok is false for anything else, including an array
// holding a non-string.
func listOf(raw json.RawMessage) ([]string, bool) {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || b[0] != '[' {
		return nil, false
	}
	var items []string
	if json.Unmarshal(b, &items) != nil {
		return nil, false
	}
	out := items[:0]
	for _, it := range items {
		if it = clean(it); it != "" {
			out = append(out, it)
		}
	}
	return out, true
}

// clean undoes the HTML escaping Jotform applies to answers ("&quot;",
// "&#039;"), turns CRLF and lone CR line breaks into LF and trims.
func clean(s string) string {
	return strings.TrimSpace(crlf.Replace(html.UnescapeString(s)))
}

var crlf = strings.NewReplacer("\r\n", "\n", "\r", "\n")

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
