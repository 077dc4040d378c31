package typeform

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "typeform"

// Event types Typeform sends.
const (
	EventFormResponse        = "form_response"
	EventFormResponsePartial = "form_response_partial"
)

// Scales when a field definition carries no properties.steps, which is
// how Typeform's webhook deliveries send them: the form builder's defaults,
// or, for an answer above the default, Typeform's largest scale.
const (
	defaultOpinionSteps = 11 // 0..10
	defaultRatingSteps  = 5  // 1..5
	maxOpinionSteps     = 11 // 1..11 with start_at_one
	maxRatingSteps      = 10 // 1..10
	maxSteps            = 100
)

// attrScaleAssumed marks a record whose score scale was inferred, not read
// from the payload.
const attrScaleAssumed = "score_scale_assumed"

// NewFactory returns the Typeform connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindSurvey, New: newDecoder}
}

type decoder struct {
	name string
	keys [][]byte
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
	return &decoder{name: wire.SourceName(set, Type), keys: sig.Keys(cfg.Secrets)}, nil
}

type payload struct {
	EventID      wire.ID       `json:"event_id"`
	EventType    string        `json:"event_type"`
	FormResponse *formResponse `json:"form_response"`
}

type formResponse struct {
	FormID      wire.ID                `json:"form_id"`
	Token       wire.ID                `json:"token"`
	LandedAt    wire.Time              `json:"landed_at"`
	SubmittedAt wire.Time              `json:"submitted_at"`
	Hidden      map[string]wire.Scalar `json:"hidden"`
	Definition  definition             `json:"definition"`
	Answers     []answer               `json:"answers"`
}

type definition struct {
	ID     wire.ID    `json:"id"`
	Title  string     `json:"title"`
	Fields []fieldDef `json:"fields"`
}

type fieldDef struct {
	ID         wire.ID `json:"id"`
	Ref        string  `json:"ref"`
	Type       string  `json:"type"`
	Title      string  `json:"title"`
	Properties struct {
		Steps      *int `json:"steps"`
		StartAtOne bool `json:"start_at_one"`
	} `json:"properties"`
}

type answer struct {
	Type   string   `json:"type"`
	Text   string   `json:"text"`
	Number *float64 `json:"number"`
	// What the respondent typed into a choice field's "Other" option.
	Choice struct {
		Other string `json:"other"`
	} `json:"choice"`
	Choices struct {
		Other string `json:"other"`
	} `json:"choices"`
	Field struct {
		ID   wire.ID `json:"id"`
		Type string  `json:"type"`
		Ref  string  `json:"ref"`
	} `json:"field"`
}

// freeText is what the respondent typed: a text answer, or the "Other"
// option of a choice field. ok is false for every other answer.
func (a *answer) freeText() (text string, ok bool) {
	switch a.Type {
	case "text":
		return a.Text, true
	case "choice":
		return a.Choice.Other, true
	case "choices":
		return a.Choices.Other, true
	}
	return "", false
}

// Decode turns one form_response into one survey record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("typeform: decode: %w", err)
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
	case EventFormResponsePartial:
		return feedback.Record{}, fmt.Errorf("%w: %s (the complete form_response follows under the same token)", connectors.ErrIgnored, p.EventType)
	default:
		return feedback.Record{}, fmt.Errorf("%w: event type %q", connectors.ErrIgnored, p.EventType)
	}
	fr := p.FormResponse
	if fr == nil {
		return feedback.Record{}, connectors.Malformedf("form_response missing")
	}
	if fr.Token == "" {
		return feedback.Record{}, connectors.Malformedf("form_response.token missing")
	}

	rec := feedback.New(d.name, feedback.KindSurvey, fr.Token.String())
	if p.EventID != "" {
		rec.EventID = p.EventID.String()
	}
	rec.ReceivedAt = req.ReceivedAt
	rec.OccurredAt = req.ReceivedAt
	// occurred_at: submitted_at, else landed_at, else the receive time.
	at, ok, err := wire.FirstInstant(
		wire.Stamp{Field: "form_response.submitted_at", Time: fr.SubmittedAt.Time},
		wire.Stamp{Field: "form_response.landed_at", Time: fr.LandedAt.Time},
	)
	if err != nil {
		return feedback.Record{}, err
	}
	if ok {
		rec.OccurredAt = at
	}

	defs := make(map[wire.ID]fieldDef, len(fr.Definition.Fields))
	for _, f := range fr.Definition.Fields {
		if _, dup := defs[f.ID]; f.ID != "" && !dup {
			defs[f.ID] = f
		}
	}
	if err := d.answers(&rec, fr.Answers, defs); err != nil {
		return feedback.Record{}, err
	}
	applyHidden(&rec, fr.Hidden)

	formID := fr.FormID
	if formID == "" {
		formID = fr.Definition.ID
	}
	wire.SetAttr(&rec, "form_id", formID.String())
	wire.SetAttr(&rec, "form_title", strings.TrimSpace(fr.Definition.Title))
	return rec, nil
}

// answers fills Text, Answers and Score.
func (d *decoder) answers(rec *feedback.Record, answers []answer, defs map[wire.ID]fieldDef) error {
	var texts []string
	var nps, other *feedback.Score
	var otherAssumed bool
	for i, a := range answers {
		def := defs[a.Field.ID]
		fieldType := a.Field.Type
		if fieldType == "" {
			fieldType = def.Type
		}
		ref := a.Field.Ref
		if ref == "" {
			ref = def.Ref
		}
		if ref == "" {
			ref = a.Field.ID.String()
		}

		if text, ok := a.freeText(); ok {
			text = strings.TrimSpace(text)
			if text == "" {
				continue
			}
			texts = append(texts, text)
			rec.Answers = append(rec.Answers, feedback.Answer{Field: ref, Question: strings.TrimSpace(def.Title), Text: text})
			continue
		}

		if a.Number == nil {
			continue
		}
		s, assumed, err := scoreOf(fieldType, def, *a.Number)
		if err != nil {
			return connectors.Malformedf("answers[%d] (%s): %v", i, ref, err)
		}
		switch {
		case s == nil:
		case s.Type == feedback.ScoreNPS && nps == nil:
			nps = s
		case s.Type != feedback.ScoreNPS && other == nil:
			other, otherAssumed = s, assumed
		}
	}
	rec.Text = wire.JoinText(texts...)
	switch {
	case nps != nil:
		rec.Score = nps
	case other != nil:
		rec.Score = other
		if otherAssumed {
			wire.SetAttr(rec, attrScaleAssumed, "true")
		}
	}
	return nil
}

// scoreOf returns the score of a numeric answer to a field of fieldType,
// nil for fields that carry no score, or an error when the value is outside
// the field's scale. assumed reports a scale inferred without
// properties.steps.
func scoreOf(fieldType string, def fieldDef, v float64) (s *feedback.Score, assumed bool, err error) {
	var (
		typ      = feedback.ScoreRating
		min, max float64
	)
	switch fieldType {
	case "nps":
		typ, min, max = feedback.ScoreNPS, 0, 10
	case "opinion_scale":
		steps, err := stepsOf(def, defaultOpinionSteps)
		if err != nil {
			return nil, false, err
		}
		if def.Properties.StartAtOne {
			min = 1
		}
		if def.Properties.Steps == nil {
			// 0..10 unless the answer says the scale starts at one.
			assumed = true
			if v > float64(steps-1) {
				min, steps = 1, maxOpinionSteps
			}
		}
		max = min + float64(steps-1)
	case "rating":
		steps, err := stepsOf(def, defaultRatingSteps)
		if err != nil {
			return nil, false, err
		}
		if def.Properties.Steps == nil {
			assumed = true
			if v > float64(steps) {
				steps = maxRatingSteps
			}
		}
		min, max = 1, float64(steps)
	default:
		return nil, false, nil
	}
	s, err = feedback.NewScore(typ, v, min, max)
	if err != nil {
		return nil, false, fmt.Errorf("%s score: %w", fieldType, err)
	}
	return s, assumed, nil
}

func stepsOf(def fieldDef, fallback int) (int, error) {
	if def.Properties.Steps == nil {
		return fallback, nil
	}
	steps := *def.Properties.Steps
	if steps < 2 || steps > maxSteps {
		return 0, fmt.Errorf("properties.steps %d outside 2..%d", steps, maxSteps)
	}
	return steps, nil
}

// applyHidden maps hidden fields onto the record; see README.
func applyHidden(rec *feedback.Record, hidden map[string]wire.Scalar) {
	for _, name := range slices.Sorted(maps.Keys(hidden)) {
		v := hidden[name]
		val := strings.TrimSpace(v.Value)
		if !v.Valid || val == "" {
			continue
		}
		switch {
		case name == "customer_id" || name == "user_id":
			// Sorted order visits customer_id first; it wins.
			if rec.Customer.ID == "" {
				rec.Customer.ID = val
			}
		case wire.SetField(rec, name, val):
		case !wire.Personal(name):
			wire.SetAttr(rec, "hidden."+name, val)
		}
	}
}
