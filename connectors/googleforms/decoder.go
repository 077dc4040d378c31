package googleforms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "googleforms"

// EventFormResponse is the one event type the Apps Script sends.
const EventFormResponse = "form_response"

// Item types (FormApp.ItemType names) the decoder reads.
const (
	ItemText          = "TEXT"
	ItemParagraphText = "PARAGRAPH_TEXT"
	ItemScale         = "SCALE"
	ItemRating        = "RATING"
)

// Default scales when a field carries no min/max.
const (
	defaultScaleMin  = 1
	defaultScaleMax  = 5
	defaultRatingMax = 5
	maxScale         = 100
)

// NewFactory returns the Google Forms connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindSurvey, New: newDecoder}
}

type decoder struct {
	name string
	sv   stdwebhook.Verifier
}

var (
	_ connectors.Decoder  = (*decoder)(nil)
	_ connectors.Verifier = (*decoder)(nil)
	_ connectors.Signer   = (*decoder)(nil)
)

func newDecoder(cfg connectors.SourceConfig, set connectors.Settings) (connectors.Decoder, error) {
	if err := wire.NoOptions(Type, cfg.Options); err != nil {
		return nil, err
	}
	sv, err := stdwebhook.New(cfg, set)
	if err != nil {
		return nil, fmt.Errorf("googleforms: %w", err)
	}
	return &decoder{name: wire.SourceName(set, Type), sv: sv}, nil
}

// payload is the documented body (README).
type payload struct {
	EventID      wire.ID       `json:"event_id"`
	EventType    string        `json:"event_type"`
	FormResponse *formResponse `json:"form_response"`
}

type formResponse struct {
	FormID      wire.ID                `json:"form_id"`
	FormTitle   string                 `json:"form_title"`
	ResponseID  wire.ID                `json:"response_id"`
	SubmittedAt wire.Time              `json:"submitted_at"`
	Hidden      map[string]wire.Scalar `json:"hidden"`
	Answers     []answer               `json:"answers"`
}

type answer struct {
	Field struct {
		ID    wire.ID  `json:"id"`
		Title string   `json:"title"`
		Type  string   `json:"type"`
		Min   *float64 `json:"min"`
		Max   *float64 `json:"max"`
	} `json:"field"`
	Response value `json:"response"`
}

// Decode turns one form_response into one survey record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("googleforms: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	var p payload
	if err := connectors.DecodeJSON(req, &p); err != nil {
		return feedback.Record{}, err
	}
	switch p.EventType {
	case EventFormResponse:
	case "":
		return feedback.Record{}, connectors.Malformedf("event_type missing")
	default:
		return feedback.Record{}, fmt.Errorf("%w: event type %q", connectors.ErrIgnored, p.EventType)
	}
	fr := p.FormResponse
	if fr == nil {
		return feedback.Record{}, connectors.Malformedf("form_response missing")
	}
	msgID := strings.TrimSpace(req.Header.Get(stdwebhook.IDHeader))
	externalID := fr.ResponseID.String()
	if externalID == "" {
		externalID = p.EventID.String()
	}
	if externalID == "" {
		externalID = msgID
	}
	if externalID == "" {
		return feedback.Record{}, connectors.Malformedf("form_response.response_id, event_id and the %s header all missing", stdwebhook.IDHeader)
	}

	rec := feedback.New(d.name, feedback.KindSurvey, externalID)
	switch {
	case p.EventID != "":
		rec.EventID = p.EventID.String()
	case msgID != "":
		rec.EventID = msgID
	}
	rec.ReceivedAt = req.ReceivedAt
	rec.OccurredAt = req.ReceivedAt
	submitted, ok, err := wire.Instant(fr.SubmittedAt.Time)
	if err != nil {
		return feedback.Record{}, connectors.Malformedf("form_response.submitted_at: %v", err)
	}
	if ok {
		rec.OccurredAt = submitted
		// An edited response is sent again with a later submitted_at.
		rec.Version = max(submitted.Unix(), 1)
	}

	if err := answers(&rec, fr.Answers); err != nil {
		return feedback.Record{}, err
	}
	applyHidden(&rec, fr.Hidden)
	wire.SetAttr(&rec, "form_id", fr.FormID.String())
	wire.SetAttr(&rec, "form_title", strings.TrimSpace(fr.FormTitle))
	return rec, nil
}

// answers fills Text, Answers, Score and the answer.<id> attributes.
func answers(rec *feedback.Record, as []answer) error {
	var (
		texts      []string
		nps, other *feedback.Score
		npsAt      = -1
		otherAt    = -1
		scored     = map[int]string{} // answer index → field id, of every scored answer
	)
	for i, a := range as {
		typ := strings.ToUpper(strings.TrimSpace(a.Field.Type))
		id := a.Field.ID.String()
		title := strings.TrimSpace(a.Field.Title)
		text := strings.TrimSpace(a.Response.text())
		if text == "" {
			continue
		}
		switch typ {
		case ItemText, ItemParagraphText:
			if typ == ItemText && personalTitle(title) {
				continue
			}
			texts = append(texts, text)
			rec.Answers = append(rec.Answers, feedback.Answer{Field: id, Question: title, Text: text})
		case ItemScale, ItemRating:
			s, err := scoreOf(typ, a, text)
			if err != nil {
				return connectors.Malformedf("answers[%d] (%s): %v", i, id, err)
			}
			switch {
			case s.Type == feedback.ScoreNPS && nps == nil:
				nps, npsAt = s, i
			case s.Type != feedback.ScoreNPS && other == nil:
				other, otherAt = s, i
			}
			scored[i] = id
		}
		// Choice, grid, date, time and file items carry no feedback text
		// or score and may carry personal data ("Other: …"); not decoded.
	}
	rec.Text = wire.JoinText(texts...)
	chosen := -1
	switch {
	case nps != nil:
		rec.Score, chosen = nps, npsAt
	case other != nil:
		rec.Score, chosen = other, otherAt
	}
	for i, id := range scored {
		if i == chosen {
			wire.SetAttr(rec, "score_field", id)
			continue
		}
		if id != "" {
			wire.SetAttr(rec, "answer."+id, strings.TrimSpace(as[i].Response.text()))
		}
	}
	return nil
}

// scoreOf scores a SCALE or RATING answer. A SCALE from 0 to 10 is NPS;
// any other scale, and every RATING, is a rating.
func scoreOf(typ string, a answer, text string) (*feedback.Score, error) {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("%s response %.40q is not a number", typ, text)
	}
	lo, hi := float64(defaultScaleMin), float64(defaultScaleMax)
	if typ == ItemRating {
		hi = defaultRatingMax
	}
	if a.Field.Min != nil {
		lo = *a.Field.Min
	}
	if a.Field.Max != nil {
		hi = *a.Field.Max
	}
	if lo < 0 || hi > maxScale || hi <= lo {
		return nil, fmt.Errorf("%s scale %v..%v is not within 0..%d", typ, lo, hi, maxScale)
	}
	scoreType := feedback.ScoreRating
	if typ == ItemScale && lo == 0 && hi == 10 {
		scoreType = feedback.ScoreNPS
	}
	s, err := feedback.NewScore(scoreType, v, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("%s score: %w", typ, err)
	}
	return s, nil
}

// personalWords are title words that mark a short-answer question asking
// for personal data ("Your name", "Email address", "Phone number"), whose
// answer is not feedback.
var personalWords = map[string]bool{
	"name": true, "surname": true, "firstname": true, "lastname": true, "email": true, "e-mail": true,
	"phone": true, "telephone": true, "mobile": true, "address": true, "postcode": true, "zip": true,
}

// personalTitle reports whether a short-answer (TEXT) question title asks
// for personal data. Paragraph questions are always feedback.
func personalTitle(title string) bool {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !(r >= 'a' && r <= 'z') && r != '-'
	})
	for _, w := range words {
		if personalWords[w] {
			return true
		}
	}
	return false
}

// applyHidden maps hidden values onto the record, as the typeform
// connector does with its hidden fields; see README.
func applyHidden(rec *feedback.Record, hidden map[string]wire.Scalar) {
	for _, name := range slices.Sorted(maps.Keys(hidden)) {
		v := hidden[name]
		val := strings.TrimSpace(v.Value)
		if !v.Valid || val == "" {
			continue
		}
		switch {
		case name == "customer_id":
			rec.Customer.ID = val
		case wire.SetField(rec, name, val):
		case !wire.Personal(name):
			wire.SetAttr(rec, "hidden."+name, val)
		}
	}
}

// value is an item response: a string, a list of strings (checkbox, grid
// rows as lists), a number or a boolean. Anything else is empty.
type value struct {
	s    string
	list []string
}

// text returns the value as text; lists are joined with ", ".
func (v value) text() string {
	if v.list != nil {
		return strings.Join(v.list, ", ")
	}
	return v.s
}

// UnmarshalJSON accepts a scalar, an array of scalars or arrays of
// scalars, or null; objects decode as empty.
func (v *value) UnmarshalJSON(b []byte) error {
	*v = value{}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var elems []json.RawMessage
		if err := json.Unmarshal(b, &elems); err != nil {
			return err
		}
		v.list = []string{}
		for _, e := range elems {
			var inner value
			if err := inner.UnmarshalJSON(e); err != nil {
				return err
			}
			if t := strings.TrimSpace(inner.text()); t != "" {
				v.list = append(v.list, t)
			}
		}
		return nil
	}
	var s wire.Scalar
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	v.s = s.Value
	return nil
}
