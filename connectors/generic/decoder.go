package generic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "generic"

// SecretPrefix marks a Standard Webhooks secret: whsec_<base64 key>.
const SecretPrefix = stdwebhook.SecretPrefix

// NewFactory returns the generic (Standard Webhooks) connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindSurvey, New: newDecoder}
}

type decoder struct {
	name string
	keys [][]byte
	tol  time.Duration
	now  func() time.Time
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
	keys, err := stdwebhook.Keys(cfg.Secrets)
	if err != nil {
		return nil, fmt.Errorf("generic: %w", err)
	}
	return &decoder{name: wire.SourceName(set, Type), keys: keys, tol: cfg.ToleranceOrDefault(), now: set.Clock()}, nil
}

// Key returns the HMAC key of a secret: the base64-decoded part after
// whsec_, or the secret's raw bytes when it has no such prefix.
func Key(secret string) ([]byte, error) { return stdwebhook.Key(secret) }

// body is a record, or the envelope Standard Webhooks recommends,
// {"type":…,"timestamp":…,"data":{…}}, whose data is the record. Both
// envelope fields stay raw until the body is known to be one, so a record
// with fields of those names of its own still decodes.
type body struct {
	payload
	Timestamp json.RawMessage `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// payload is the documented body shape (README).
type payload struct {
	ID         wire.ID   `json:"id"`
	Kind       string    `json:"kind"`
	OccurredAt wire.Time `json:"occurred_at"`
	Customer   struct {
		ID        wire.ID `json:"id"`
		AccountID wire.ID `json:"account_id"`
		Role      string  `json:"role"`
	} `json:"customer"`
	Touchpoint string            `json:"touchpoint"`
	Team       string            `json:"team"`
	Location   string            `json:"location"`
	Agent      string            `json:"agent"`
	Score      *score            `json:"score"`
	Text       string            `json:"text"`
	Answers    []answer          `json:"answers"`
	Attributes map[string]string `json:"attributes"`
}

type score struct {
	Value *float64 `json:"value"`
	Min   *float64 `json:"min"`
	Max   *float64 `json:"max"`
	Type  string   `json:"type"`
}

type answer struct {
	Field    string `json:"field"`
	Question string `json:"question"`
	Text     string `json:"text"`
}

// defaultScales apply when a score gives neither min nor max.
var defaultScales = map[feedback.ScoreType][2]float64{
	feedback.ScoreNPS:  {0, 10},
	feedback.ScoreCSAT: {1, 5},
	feedback.ScoreCES:  {1, 7},
}

// Decode turns one body into one record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("generic: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	var b body
	if err := connectors.DecodeJSON(req, &b); err != nil {
		return feedback.Record{}, err
	}
	p := b.payload
	// An envelope: data is an object, and the top level has none of the
	// record's own content beside it.
	if data := bytes.TrimSpace(b.Data); len(data) > 0 && data[0] == '{' && b.Text == "" && len(b.Answers) == 0 && b.Score == nil {
		p = payload{}
		if err := json.Unmarshal(data, &p); err != nil {
			return feedback.Record{}, connectors.Malformedf("data: %v", err)
		}
		if p.OccurredAt.IsZero() {
			if err := wire.UnmarshalOptional(b.Timestamp, &p.OccurredAt); err != nil {
				return feedback.Record{}, connectors.Malformedf("timestamp: %v", err)
			}
		}
	}
	msgID := strings.TrimSpace(req.Header.Get(IDHeader))
	externalID := p.ID.String()
	if externalID == "" {
		externalID = msgID
	}
	if externalID == "" {
		return feedback.Record{}, connectors.Malformedf("id missing and no %s header", IDHeader)
	}

	kind := feedback.KindSurvey
	if k := strings.TrimSpace(p.Kind); k != "" {
		kind = feedback.Kind(strings.ToLower(k))
		if !kind.Valid() {
			return feedback.Record{}, connectors.Malformedf("kind %q is not survey, review or ticket", p.Kind)
		}
	}

	rec := feedback.New(d.name, kind, externalID)
	if msgID != "" {
		rec.EventID = msgID
	}
	rec.ReceivedAt = req.ReceivedAt
	rec.OccurredAt = req.ReceivedAt
	if t, ok, err := wire.Instant(p.OccurredAt.Time); err != nil {
		return feedback.Record{}, connectors.Malformedf("occurred_at: %v", err)
	} else if ok {
		rec.OccurredAt = t
	}

	rec.Customer.ID = p.Customer.ID.String()
	rec.Customer.AccountID = p.Customer.AccountID.String()
	if r := strings.ToLower(strings.TrimSpace(p.Customer.Role)); r != "" {
		rec.Customer.Role = feedback.ParseRole(r)
		if rec.Customer.Role == feedback.RoleUnknown && r != string(feedback.RoleUnknown) {
			return feedback.Record{}, connectors.Malformedf("customer.role %q is not end_user, buyer, decision_maker or unknown", p.Customer.Role)
		}
	}
	rec.Touchpoint = strings.TrimSpace(p.Touchpoint)
	rec.Team = strings.TrimSpace(p.Team)
	rec.Location = strings.TrimSpace(p.Location)
	rec.Agent = strings.TrimSpace(p.Agent)

	if p.Score != nil {
		s, err := p.Score.build()
		if err != nil {
			return feedback.Record{}, err
		}
		rec.Score = s
	}

	texts := make([]string, 0, len(p.Answers))
	for i, a := range p.Answers {
		text := strings.TrimSpace(a.Text)
		if text == "" {
			return feedback.Record{}, connectors.Malformedf("answers[%d].text empty", i)
		}
		texts = append(texts, text)
		rec.Answers = append(rec.Answers, feedback.Answer{Field: strings.TrimSpace(a.Field), Question: strings.TrimSpace(a.Question), Text: text})
	}
	rec.Text = strings.TrimSpace(p.Text)
	if rec.Text == "" {
		rec.Text = wire.JoinText(texts...)
	}
	if rec.Text == "" && rec.Score == nil {
		return feedback.Record{}, connectors.Malformedf("one of text, answers or score is required")
	}

	for k, v := range p.Attributes {
		k = strings.TrimSpace(k)
		if k == "" {
			return feedback.Record{}, connectors.Malformedf("attributes: empty key")
		}
		wire.SetAttr(&rec, k, v)
	}
	return rec, nil
}

func (s *score) build() (*feedback.Score, error) {
	typ := feedback.ScoreType(strings.ToLower(strings.TrimSpace(s.Type)))
	switch typ {
	case feedback.ScoreNPS, feedback.ScoreCSAT, feedback.ScoreCES, feedback.ScoreRating:
	case "":
		return nil, connectors.Malformedf("score.type missing")
	default:
		return nil, connectors.Malformedf("score.type %q is not nps, csat, ces or rating", s.Type)
	}
	if s.Value == nil {
		return nil, connectors.Malformedf("score.value missing")
	}
	var min, max float64
	switch {
	case s.Min != nil && s.Max != nil:
		min, max = *s.Min, *s.Max
	case s.Min == nil && s.Max == nil:
		def, ok := defaultScales[typ]
		if !ok {
			return nil, connectors.Malformedf("score.min and score.max are required for type %s", typ)
		}
		min, max = def[0], def[1]
	default:
		return nil, connectors.Malformedf("score: give both min and max, or neither")
	}
	out, err := feedback.NewScore(typ, *s.Value, min, max)
	if err != nil {
		return nil, connectors.Malformedf("score: %v", err)
	}
	return out, nil
}
