package zendesk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "zendesk"

// Event types decoded.
const (
	EventTicketCreated         = "zen:event-type:ticket.created"
	EventTicketCommentAdded    = "zen:event-type:ticket.comment_added"
	EventMessagingMessageAdded = "zen:event-type:messaging_ticket.message_added"
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

// messagingEvent is the event of messaging_ticket.message_added. Ids stay
// raw so that a malformed one is reported by its field.
type messagingEvent struct {
	Actor *struct {
		ID   json.RawMessage `json:"id"`
		Name wire.Scalar     `json:"name"`
		Type string          `json:"type"`
	} `json:"actor"`
	ConversationID json.RawMessage `json:"conversation_id"`
	Message        *struct {
		ID   json.RawMessage `json:"id"`
		Body string          `json:"body"`
	} `json:"message"`
}

// message is what a messaging event contributes to a record.
type message struct {
	id, conversationID, authorID, text string
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
	var (
		ev  event
		mev messagingEvent
	)
	switch env.Type {
	case EventTicketCreated, EventTicketCommentAdded:
		if err := wire.UnmarshalOptional(env.Event, &ev); err != nil {
			return feedback.Record{}, connectors.Malformedf("event: %v", err)
		}
	case EventMessagingMessageAdded:
		if err := wire.UnmarshalOptional(env.Event, &mev); err != nil {
			return feedback.Record{}, connectors.Malformedf("event: %v", err)
		}
	default:
		// Best effort: any other ticket event is decoded only when it
		// carries a satisfaction rating itself.
		if !strings.HasPrefix(env.Type, ticketEventPrefix) || wire.UnmarshalOptional(env.Event, &ev) != nil || ev.SatisfactionRating == nil {
			return feedback.Record{}, fmt.Errorf("%w: event type %q", connectors.ErrIgnored, env.Type)
		}
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
	case EventMessagingMessageAdded:
		m, err := mev.customerMessage(env.Type)
		if err != nil {
			return feedback.Record{}, err
		}
		text = m.text
		if rec.Customer.ID == "" {
			rec.Customer.ID = m.authorID
		}
		wire.SetAttr(&rec, "message_id", m.id)
		wire.SetAttr(&rec, "conversation_id", m.conversationID)
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
	if rec.Score == nil && !handled(env.Type) {
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

// handled reports whether typ is an event type decoded for its own sake,
// rather than only for a satisfaction rating it carries.
func handled(typ string) bool {
	return typ == EventTicketCreated || typ == EventTicketCommentAdded || typ == EventMessagingMessageAdded
}

// customerMessage returns the message of a messaging event written by the
// end user. Malformed ids are ErrMalformed naming the field; a message by
// anyone else (an agent, a trigger, the system such as the answer bot; how
// AI agents are labelled is unconfirmed, so only end_user passes), or
// without text, is ErrIgnored.
func (e *messagingEvent) customerMessage(typ string) (message, error) {
	if e.Message == nil {
		return message{}, connectors.Malformedf("event.message missing")
	}
	var (
		m   message
		err error
	)
	if m.id, err = idField("event.message.id", e.Message.ID); err != nil {
		return message{}, err
	}
	if m.conversationID, err = idField("event.conversation_id", e.ConversationID); err != nil {
		return message{}, err
	}
	var actorType, actorID, actorName string
	if e.Actor != nil {
		actorName = strings.TrimSpace(e.Actor.Name.Value)
		if actorID, err = idField("event.actor.id", e.Actor.ID); err != nil {
			return message{}, err
		}
		actorType = strings.ToLower(strings.TrimSpace(e.Actor.Type))
	}
	switch actorType {
	case "end_user":
	case "agent":
		return message{}, fmt.Errorf("%w: %s: message by an agent", connectors.ErrIgnored, typ)
	case "system":
		return message{}, fmt.Errorf("%w: %s: message by the system (answer bot or automation)", connectors.ErrIgnored, typ)
	case "trigger":
		return message{}, fmt.Errorf("%w: %s: message by a trigger", connectors.ErrIgnored, typ)
	case "":
		return message{}, fmt.Errorf("%w: %s: message author unknown (no actor.type)", connectors.ErrIgnored, typ)
	default:
		return message{}, fmt.Errorf("%w: %s: message by actor type %q, not an end user", connectors.ErrIgnored, typ, actorType)
	}
	// zd:<name> ids (zd:answerBot, zd:agentWorkspace) name Zendesk's own
	// integrations, never a person, whatever the type says.
	if strings.HasPrefix(strings.ToLower(actorID), "zd:") {
		return message{}, fmt.Errorf("%w: %s: message by a Zendesk integration (actor.id prefix zd:)", connectors.ErrIgnored, typ)
	}
	m.text = strings.TrimSpace(e.Message.Body)
	if m.text == "" {
		return message{}, fmt.Errorf("%w: %s: message without text", connectors.ErrIgnored, typ)
	}
	m.authorID = opaqueID(actorID, actorName)
	return m, nil
}

// idField decodes the optional id at field (a string or a number).
func idField(field string, raw json.RawMessage) (string, error) {
	var id wire.ID
	if err := wire.UnmarshalOptional(raw, &id); err != nil {
		return "", connectors.Malformedf("%s: %v", field, err)
	}
	return id.NonZero(), nil
}

// opaqueID returns id if it can only be an opaque id, else "": an email
// (@), a phone number (+, spaces), a display name (spaces, or the actor's
// name itself) or a prefixed handle (:) must not become a customer id.
func opaqueID(id, name string) string {
	if strings.ContainsAny(id, "@+:") || strings.IndexFunc(id, unicode.IsSpace) >= 0 || (name != "" && strings.EqualFold(id, name)) {
		return ""
	}
	return id
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
