package delighted

import (
	"context"
	"encoding/json"
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
const Type = "delighted"

// Event types Delighted sends.
const (
	EventResponseCreated    = "survey_response.created"
	EventResponseUpdated    = "survey_response.updated"
	EventUnsubscribeCreated = "unsubscribe.created"
)

// NewFactory returns the Delighted connector factory.
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

type envelope struct {
	EventType string          `json:"event_type"`
	EventID   wire.ID         `json:"event_id"`
	EventData json.RawMessage `json:"event_data"`
}

type response struct {
	ID         wire.ID      `json:"id"`
	SurveyType string       `json:"survey_type"`
	Score      *float64     `json:"score"`
	Comment    string       `json:"comment"`
	Permalink  string       `json:"permalink"`
	CreatedAt  wire.Seconds `json:"created_at"`
	UpdatedAt  wire.Seconds `json:"updated_at"`
	Person     struct {
		ID wire.ID `json:"id"`
		// email and name are deliberately not decoded (PII).
	} `json:"person"`
	PersonProperties  map[string]any    `json:"person_properties"`
	Tags              []wire.Scalar     `json:"tags"`
	AdditionalAnswers []json.RawMessage `json:"additional_answers"`
}

type additionalAnswer struct {
	ID    wire.ID `json:"id"`
	Value struct {
		FreeResponse string `json:"free_response"`
	} `json:"value"`
	Question struct {
		ID   wire.ID `json:"id"`
		Type string  `json:"type"`
		Text string  `json:"text"`
	} `json:"question"`
}

// scale is the score range of one survey type.
type scale struct {
	typ      feedback.ScoreType
	min, max float64
}

// scales by survey_type; csat and ces are UNCONFIRMED (see README). Other
// types use fallbackScale. A missing survey_type is defaultSurveyType.
var (
	scales = map[string]scale{
		"nps":  {feedback.ScoreNPS, 0, 10},
		"csat": {feedback.ScoreCSAT, 1, 5},
		"ces":  {feedback.ScoreCES, 1, 7},
	}
	fallbackScale = scale{feedback.ScoreRating, 0, 10}
)

// defaultSurveyType is the scale of a response without survey_type. Older
// payloads (from when Delighted was NPS-only) omit it, and the example in
// Delighted's "Adding survey responses" API docs creates a response from a
// person and a 0..10 score alone and gets it back as survey_type "nps".
const defaultSurveyType = "nps"

// Decode turns one survey_response event into one survey record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("delighted: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	var env envelope
	if err := connectors.DecodeJSON(req, &env); err != nil {
		return feedback.Record{}, err
	}
	switch env.EventType {
	case EventResponseCreated, EventResponseUpdated:
	case "":
		return feedback.Record{}, connectors.Malformedf("event_type missing")
	default:
		return feedback.Record{}, fmt.Errorf("%w: event type %q", connectors.ErrIgnored, env.EventType)
	}
	if len(env.EventData) == 0 || string(env.EventData) == "null" {
		return feedback.Record{}, connectors.Malformedf("event_data missing")
	}
	var r response
	if err := json.Unmarshal(env.EventData, &r); err != nil {
		return feedback.Record{}, connectors.Malformedf("event_data: %v", err)
	}
	if r.ID == "" {
		return feedback.Record{}, connectors.Malformedf("event_data.id missing")
	}

	rec := feedback.New(d.name, feedback.KindSurvey, r.ID.String())
	rec.ReceivedAt = req.ReceivedAt
	created, createdOK, err := wire.Instant(r.CreatedAt.Time())
	if err != nil {
		return feedback.Record{}, connectors.Malformedf("event_data.created_at: %v", err)
	}
	updated, updatedOK, err := wire.Instant(r.UpdatedAt.Time())
	if err != nil {
		return feedback.Record{}, connectors.Malformedf("event_data.updated_at: %v", err)
	}
	// Version: updated_at, else created_at, else 1; occurred_at: when the
	// response was first given (created_at), else updated_at, else received.
	switch {
	case updatedOK:
		rec.Version = int64(r.UpdatedAt)
	case createdOK:
		rec.Version = int64(r.CreatedAt)
	}
	switch {
	case createdOK:
		rec.OccurredAt = created
	case updatedOK:
		rec.OccurredAt = updated
	default:
		rec.OccurredAt = req.ReceivedAt
	}
	rec.EventID = env.EventID.String()
	if rec.EventID == "" {
		rec.EventID = fmt.Sprintf("%s@%d", r.ID, rec.Version)
	}

	surveyType := strings.ToLower(strings.TrimSpace(r.SurveyType))
	if r.Score != nil {
		scaleType := surveyType
		if scaleType == "" {
			scaleType = defaultSurveyType
		}
		sc, ok := scales[scaleType]
		if !ok {
			sc = fallbackScale
		}
		s, err := feedback.NewScore(sc.typ, *r.Score, sc.min, sc.max)
		if err != nil {
			return feedback.Record{}, connectors.Malformedf("event_data.score for survey_type %q: %v", scaleType, err)
		}
		rec.Score = s
	}

	comment := strings.TrimSpace(r.Comment)
	texts := []string{comment}
	var answers []feedback.Answer
	for _, raw := range r.AdditionalAnswers {
		var a additionalAnswer
		if json.Unmarshal(raw, &a) != nil {
			continue // other answer shapes (scale, select) carry no free text
		}
		text := strings.TrimSpace(a.Value.FreeResponse)
		if text == "" {
			continue
		}
		field := a.Question.ID.String()
		if field == "" {
			field = a.ID.String()
		}
		texts = append(texts, text)
		answers = append(answers, feedback.Answer{Field: field, Question: strings.TrimSpace(a.Question.Text), Text: text})
	}
	rec.Text = wire.JoinText(texts...)
	if len(answers) > 0 {
		if comment != "" {
			answers = append([]feedback.Answer{{Field: "comment", Text: comment}}, answers...)
		}
		rec.Answers = answers
	}

	rec.Customer.ID = r.Person.ID.String()
	applyProperties(&rec, r.PersonProperties)
	wire.SetAttr(&rec, "survey_type", surveyType)
	wire.SetAttr(&rec, "permalink", strings.TrimSpace(r.Permalink))
	var tags []string
	for _, t := range r.Tags {
		if v := strings.TrimSpace(t.Value); t.Valid && v != "" {
			tags = append(tags, v)
		}
	}
	wire.SetAttr(&rec, "tags", strings.Join(tags, ","))
	return rec, nil
}

// applyProperties maps person_properties onto the record; see README.
// Only string values are kept, and keys that look personal are dropped.
func applyProperties(rec *feedback.Record, props map[string]any) {
	for _, key := range slices.Sorted(maps.Keys(props)) {
		s, ok := props[key].(string)
		val := strings.TrimSpace(s)
		if !ok || val == "" {
			continue
		}
		if !wire.SetField(rec, normalizeKey(key), val) && !wire.Personal(key) {
			wire.SetAttr(rec, "person."+key, val)
		}
	}
}

// normalizeKey lower-cases a property key and turns spaces and hyphens into
// underscores, so "Account ID" matches account_id.
func normalizeKey(k string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(k)))
}
