package zendesk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "zendesk"

// Event types decoded.
const (
	EventTicketCreated      = "zen:event-type:ticket.created"
	EventTicketCommentAdded = "zen:event-type:ticket.comment_added"
)

const ticketEventPrefix = "zen:event-type:ticket."

// NewFactory returns the Zendesk connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindTicket, New: newDecoder}
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
	return &decoder{name: wire.SourceName(set, Type), keys: sig.Keys(cfg.Secrets), tol: cfg.ToleranceOrDefault(), now: set.Clock()}, nil
}

// envelope is the shared event schema; detail and event are parsed only
// for event types we handle, so other types are ignored whatever their shape.
type envelope struct {
	Type    string          `json:"type"`
	ID      wire.ID         `json:"id"`
	Time    wire.Time       `json:"time"`
	Subject string          `json:"subject"`
	Detail  json.RawMessage `json:"detail"`
	Event   json.RawMessage `json:"event"`
}

type ticket struct {
	ID             wire.ID   `json:"id"`
	Subject        string    `json:"subject"`
	Description    string    `json:"description"`
	Status         string    `json:"status"`
	Priority       string    `json:"priority"`
	Type           string    `json:"type"`
	RequesterID    wire.ID   `json:"requester_id"`
	AssigneeID     wire.ID   `json:"assignee_id"`
	OrganizationID wire.ID   `json:"organization_id"`
	Tags           []string  `json:"tags"`
	CreatedAt      wire.Time `json:"created_at"`
	UpdatedAt      wire.Time `json:"updated_at"`
	Via            struct {
		Channel string `json:"channel"`
	} `json:"via"`
	SatisfactionRating *rating `json:"satisfaction_rating"`
}

type event struct {
	Comment            *comment `json:"comment"`
	SatisfactionRating *rating  `json:"satisfaction_rating"`
}

type comment struct {
	ID       wire.ID `json:"id"`
	Body     string  `json:"body"`
	IsPublic *bool   `json:"is_public"`
	Author   struct {
		ID      wire.ID `json:"id"`
		IsStaff *bool   `json:"is_staff"`
	} `json:"author"`
}

type rating struct {
	Score   string `json:"score"`
	Comment string `json:"comment"`
}

// Decode turns one ticket event into one ticket record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("zendesk: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	var env envelope
	if err := connectors.DecodeJSON(req, &env); err != nil {
		return feedback.Record{}, err
	}
	if env.Type == "" {
		return feedback.Record{}, connectors.Malformedf("type missing")
	}
	var ev event
	if env.Type != EventTicketCreated && env.Type != EventTicketCommentAdded {
		// Best effort: any other ticket event is decoded only when it
		// carries a satisfaction rating itself.
		if !strings.HasPrefix(env.Type, ticketEventPrefix) || wire.UnmarshalOptional(env.Event, &ev) != nil || ev.SatisfactionRating == nil {
			return feedback.Record{}, fmt.Errorf("%w: event type %q", connectors.ErrIgnored, env.Type)
		}
	} else if err := wire.UnmarshalOptional(env.Event, &ev); err != nil {
		return feedback.Record{}, connectors.Malformedf("event: %v", err)
	}
	if env.ID == "" {
		return feedback.Record{}, connectors.Malformedf("id missing")
	}
	var t ticket
	if err := wire.UnmarshalOptional(env.Detail, &t); err != nil {
		return feedback.Record{}, connectors.Malformedf("detail: %v", err)
	}
	ticketID := t.ID.String()
	if ticketID == "" {
		ticketID = strings.TrimPrefix(env.Subject, "zen:ticket:")
		if ticketID == env.Subject {
			ticketID = ""
		}
	}
	if strings.TrimSpace(ticketID) == "" {
		return feedback.Record{}, connectors.Malformedf("detail.id missing")
	}

	rec := feedback.New(d.name, feedback.KindTicket, env.ID.String())
	rec.ReceivedAt = req.ReceivedAt
	// occurred_at: the event time, else the ticket's updated_at, else its
	// created_at, else the receive time.
	at, ok, err := wire.FirstInstant(
		wire.Stamp{Field: "time", Time: env.Time.Time},
		wire.Stamp{Field: "detail.updated_at", Time: t.UpdatedAt.Time},
		wire.Stamp{Field: "detail.created_at", Time: t.CreatedAt.Time},
	)
	if err != nil {
		return feedback.Record{}, err
	}
	rec.OccurredAt = req.ReceivedAt
	if ok {
		rec.OccurredAt = at
	}
	// "0" is Zendesk's "none" (no organization, no assignee).
	rec.Customer.ID = t.RequesterID.NonZero()
	rec.Customer.AccountID = t.OrganizationID.NonZero()
	rec.Agent = t.AssigneeID.NonZero()

	var text string
	switch env.Type {
	case EventTicketCreated:
		text = wire.JoinText(t.Subject, t.Description)
	case EventTicketCommentAdded:
		c := ev.Comment
		if c == nil {
			return feedback.Record{}, connectors.Malformedf("event.comment missing")
		}
		switch {
		case c.IsPublic != nil && !*c.IsPublic:
			return feedback.Record{}, fmt.Errorf("%w: %s: private comment (internal note)", connectors.ErrIgnored, env.Type)
		case c.Author.IsStaff != nil && *c.Author.IsStaff:
			return feedback.Record{}, fmt.Errorf("%w: %s: comment by staff", connectors.ErrIgnored, env.Type)
		case strings.TrimSpace(c.Body) == "":
			return feedback.Record{}, fmt.Errorf("%w: %s: comment without text", connectors.ErrIgnored, env.Type)
		}
		text = strings.TrimSpace(c.Body)
		if rec.Customer.ID == "" {
			rec.Customer.ID = c.Author.ID.NonZero()
		}
		wire.SetAttr(&rec, "comment_id", c.ID.String())
	}

	r := ev.SatisfactionRating
	if r == nil {
		r = t.SatisfactionRating
	}
	if r != nil {
		s, err := csat(r.Score)
		if err != nil {
			return feedback.Record{}, err
		}
		rec.Score = s
		text = wire.JoinText(text, r.Comment)
	}
	if rec.Score == nil && env.Type != EventTicketCreated && env.Type != EventTicketCommentAdded {
		return feedback.Record{}, fmt.Errorf("%w: %s: satisfaction rating offered, not given", connectors.ErrIgnored, env.Type)
	}
	// Like a blank comment, a ticket with neither words nor a score is no
	// feedback (e.g. a minimal payload that carries only a status).
	if text == "" && rec.Score == nil {
		return feedback.Record{}, fmt.Errorf("%w: %s: ticket without subject or description", connectors.ErrIgnored, env.Type)
	}
	rec.Text = text

	wire.ApplyTags(&rec, t.Tags, wire.KeepCommas)
	wire.SetAttr(&rec, "ticket_id", strings.TrimSpace(ticketID))
	wire.SetAttr(&rec, "status", strings.ToLower(strings.TrimSpace(t.Status)))
	wire.SetAttr(&rec, "priority", strings.ToLower(strings.TrimSpace(t.Priority)))
	wire.SetAttr(&rec, "channel", strings.ToLower(strings.TrimSpace(t.Via.Channel)))
	wire.SetAttr(&rec, "ticket_type", strings.ToLower(strings.TrimSpace(t.Type)))
	return rec, nil
}

// csat maps a Zendesk satisfaction score onto 0..1: good=1, bad=0.
// offered/unoffered (asked, not answered) carry no score.
func csat(score string) (*feedback.Score, error) {
	var v float64
	switch strings.ToLower(strings.TrimSpace(score)) {
	case "good", "good_with_comment", "goodwithcomment":
		v = 1
	case "bad", "bad_with_comment", "badwithcomment":
		v = 0
	case "", "offered", "unoffered":
		return nil, nil
	default:
		return nil, connectors.Malformedf("satisfaction_rating.score %q is not good, bad, offered or unoffered", score)
	}
	return feedback.NewScore(feedback.ScoreCSAT, v, 0, 1)
}
