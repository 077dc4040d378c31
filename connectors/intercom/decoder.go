package intercom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/htmltext"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "intercom"

// Topics decoded.
const (
	TopicUserCreated    = "conversation.user.created"
	TopicUserReplied    = "conversation.user.replied"
	TopicRatingAdded    = "conversation.rating.added"
	TopicRatingRemarked = "conversation.rating.remarked" // UNCONFIRMED: seen only in third-party topic lists
	TopicPing           = "ping"
)

// NewFactory returns the Intercom connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindTicket, New: newDecoder}
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

// notification is Intercom's notification_event envelope; data.item is
// parsed only for topics we handle, so other topics are ignored whatever
// their shape. Timestamps here and below are Unix seconds or else an RFC
// 3339 string, which some deliveries appear to carry (UNCONFIRMED, see
// README).
type notification struct {
	ID        wire.ID            `json:"id"`
	Topic     string             `json:"topic"`
	AppID     wire.ID            `json:"app_id"`
	CreatedAt wire.SecondsOrTime `json:"created_at"`
	Data      json.RawMessage    `json:"data"`
}

// conversation is data.item. API 2.x sends the opening message as source,
// the customers as contacts and the assignee as admin_assignee_id; API 1.x
// sends conversation_message, user and assignee instead.
type conversation struct {
	Type                string                 `json:"type"`
	ID                  wire.ID                `json:"id"`
	CreatedAt           wire.SecondsOrTime     `json:"created_at"`
	UpdatedAt           wire.SecondsOrTime     `json:"updated_at"`
	State               string                 `json:"state"`
	Priority            string                 `json:"priority"`
	Source              message                `json:"source"`
	ConversationMessage message                `json:"conversation_message"` // API 1.x
	User                author                 `json:"user"`                 // API 1.x: the customer
	Assignee            author                 `json:"assignee"`             // API 1.x: the agent when type is "admin"
	Contacts            contacts               `json:"contacts"`
	AdminAssigneeID     wire.ID                `json:"admin_assignee_id"`
	TeamAssigneeID      wire.ID                `json:"team_assignee_id"`
	Tags                tags                   `json:"tags"`
	ConversationParts   parts                  `json:"conversation_parts"`
	Rating              *rating                `json:"conversation_rating"`
	CustomAttributes    map[string]wire.Scalar `json:"custom_attributes"`
}

// message is the conversation's opening message: source (API 2.x) or
// conversation_message (API 1.x), which have the same fields.
type message struct {
	Type    string  `json:"type"`
	ID      wire.ID `json:"id"`
	Subject string  `json:"subject"`
	Body    string  `json:"body"`
	Author  author  `json:"author"`
}

// text is the subject and body, HTML stripped.
func (m message) text() string {
	return wire.JoinText(htmltext.Text(m.Subject), htmltext.Text(m.Body))
}

// author is a {type, id} reference to a person: a message or part author,
// and in API 1.x the conversation's user and assignee.
type author struct {
	Type string  `json:"type"`
	ID   wire.ID `json:"id"`
}

// customer reports whether the author is the customer (a user or lead),
// not a teammate, bot or team.
func (a author) customer() bool {
	switch strings.ToLower(strings.TrimSpace(a.Type)) {
	case "user", "lead", "contact":
		return true
	}
	return false
}

type part struct {
	ID        wire.ID            `json:"id"`
	PartType  string             `json:"part_type"`
	Body      string             `json:"body"`
	CreatedAt wire.SecondsOrTime `json:"created_at"`
	Author    author             `json:"author"`
}

type ref struct {
	ID wire.ID `json:"id"`
}

type rating struct {
	Rating    *float64           `json:"rating"`
	Remark    string             `json:"remark"`
	CreatedAt wire.SecondsOrTime `json:"created_at"`
	UpdatedAt wire.SecondsOrTime `json:"updated_at"`
	Contact   *ref               `json:"contact"`
	Customer  *ref               `json:"customer"` // API 1.x name of contact
	Teammate  *ref               `json:"teammate"`
}

// Decode turns one notification into one ticket record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("intercom: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	var n notification
	if err := connectors.DecodeJSON(req, &n); err != nil {
		return feedback.Record{}, err
	}
	topic := strings.TrimSpace(n.Topic)
	switch topic {
	case TopicUserCreated, TopicUserReplied, TopicRatingAdded, TopicRatingRemarked:
	case "":
		return feedback.Record{}, connectors.Malformedf("topic missing")
	case TopicPing:
		return feedback.Record{}, fmt.Errorf("%w: topic %q (subscription check)", connectors.ErrIgnored, topic)
	default:
		return feedback.Record{}, fmt.Errorf("%w: topic %q", connectors.ErrIgnored, topic)
	}
	var data struct {
		Item json.RawMessage `json:"item"`
	}
	if len(n.Data) > 0 {
		if err := json.Unmarshal(n.Data, &data); err != nil {
			return feedback.Record{}, connectors.Malformedf("data: %v", err)
		}
	}
	if len(data.Item) == 0 || string(data.Item) == "null" {
		return feedback.Record{}, connectors.Malformedf("data.item missing")
	}
	var c conversation
	if err := json.Unmarshal(data.Item, &c); err != nil {
		return feedback.Record{}, connectors.Malformedf("data.item: %v", err)
	}
	if t := strings.TrimSpace(c.Type); t != "" && t != "conversation" {
		return feedback.Record{}, connectors.Malformedf("data.item.type %q, want conversation", t)
	}
	convID := c.ID.String()
	if convID == "" {
		return feedback.Record{}, connectors.Malformedf("data.item.id missing")
	}
	notified, err := wire.FieldInstant("created_at", n.CreatedAt.Time())
	if err != nil {
		return feedback.Record{}, err
	}

	var rec feedback.Record
	switch topic {
	case TopicUserCreated:
		rec, err = d.created(c, notified)
	case TopicUserReplied:
		rec, err = d.replied(c, notified)
	default:
		rec, err = d.rated(c, notified)
	}
	if err != nil {
		return feedback.Record{}, err
	}
	if n.ID != "" {
		rec.EventID = n.ID.String()
	}
	rec.ReceivedAt = req.ReceivedAt
	if rec.OccurredAt.IsZero() {
		rec.OccurredAt = req.ReceivedAt.UTC()
	}
	if rec.Customer.ID == "" && len(c.Contacts) > 0 {
		rec.Customer.ID = c.Contacts[0].ID.String()
	}
	if rec.Customer.ID == "" {
		rec.Customer.ID = c.User.ID.String()
	}
	if rec.Agent == "" {
		rec.Agent = c.AdminAssigneeID.NonZero()
	}
	if rec.Agent == "" && strings.EqualFold(strings.TrimSpace(c.Assignee.Type), "admin") {
		rec.Agent = c.Assignee.ID.NonZero()
	}
	wire.SetAttr(&rec, "conversation_id", convID)
	wire.SetAttr(&rec, "workspace_id", n.AppID.String())
	wire.SetAttr(&rec, "team_id", c.TeamAssigneeID.NonZero())
	wire.SetAttr(&rec, "state", strings.ToLower(strings.TrimSpace(c.State)))
	wire.SetAttr(&rec, "priority", strings.ToLower(strings.TrimSpace(c.Priority)))
	wire.SetAttr(&rec, "channel", strings.ToLower(strings.TrimSpace(c.Source.Type)))
	wire.ApplyTags(&rec, c.Tags.names(), wire.CommasToSpaces)
	for k, v := range c.CustomAttributes {
		k = strings.TrimSpace(k)
		if !v.Valid || k == "" || wire.Personal(k) {
			continue
		}
		wire.SetAttr(&rec, "custom."+k, strings.TrimSpace(v.Value))
	}
	return rec, nil
}

func (d *decoder) created(c conversation, notified time.Time) (feedback.Record, error) {
	m := c.Source
	text := m.text()
	if text == "" {
		m = c.ConversationMessage
		text = m.text()
	}
	if text == "" {
		return feedback.Record{}, fmt.Errorf("%w: %s: conversation without text", connectors.ErrIgnored, TopicUserCreated)
	}
	rec := feedback.New(d.name, feedback.KindTicket, "conversation:"+c.ID.String())
	rec.Text = text
	at, err := wire.FieldInstant("data.item.created_at", c.CreatedAt.Time())
	if err != nil {
		return feedback.Record{}, err
	}
	rec.OccurredAt = wire.FirstTime(at, notified)
	if m.Author.customer() {
		rec.Customer.ID = m.Author.ID.String()
	}
	return rec, nil
}

func (d *decoder) replied(c conversation, notified time.Time) (feedback.Record, error) {
	if len(c.ConversationParts) == 0 {
		return feedback.Record{}, connectors.Malformedf("data.item.conversation_parts missing")
	}
	// The newest part written by the customer that carries text.
	var p *part
	var text string
	for i := len(c.ConversationParts) - 1; i >= 0; i-- {
		cand := &c.ConversationParts[i]
		if !cand.Author.customer() || strings.EqualFold(cand.PartType, "note") {
			continue
		}
		if t := htmltext.Text(cand.Body); t != "" {
			p, text = cand, t
			break
		}
	}
	if p == nil {
		return feedback.Record{}, fmt.Errorf("%w: %s: no customer part with text", connectors.ErrIgnored, TopicUserReplied)
	}
	if p.ID == "" {
		return feedback.Record{}, connectors.Malformedf("data.item.conversation_parts[].id missing")
	}
	rec := feedback.New(d.name, feedback.KindTicket, "part:"+p.ID.String())
	rec.Text = text
	at, err := wire.FieldInstant("data.item.conversation_parts[].created_at", p.CreatedAt.Time())
	if err != nil {
		return feedback.Record{}, err
	}
	updated, err := wire.FieldInstant("data.item.updated_at", c.UpdatedAt.Time())
	if err != nil {
		return feedback.Record{}, err
	}
	rec.OccurredAt = wire.FirstTime(at, updated, notified)
	rec.Customer.ID = p.Author.ID.String()
	wire.SetAttr(&rec, "part_id", p.ID.String())
	return rec, nil
}

func (d *decoder) rated(c conversation, notified time.Time) (feedback.Record, error) {
	r := c.Rating
	if r == nil || (r.Rating == nil && strings.TrimSpace(r.Remark) == "") {
		return feedback.Record{}, fmt.Errorf("%w: conversation rating: no rating given", connectors.ErrIgnored)
	}
	rec := feedback.New(d.name, feedback.KindTicket, "rating:"+c.ID.String())
	if r.Rating != nil {
		s, err := feedback.NewScore(feedback.ScoreCSAT, *r.Rating, 1, 5)
		if err != nil || *r.Rating != float64(int64(*r.Rating)) {
			return feedback.Record{}, connectors.Malformedf("data.item.conversation_rating.rating %v is not 1..5", *r.Rating)
		}
		rec.Score = s
	}
	rec.Text = htmltext.Text(r.Remark)
	created, err := wire.FieldInstant("data.item.conversation_rating.created_at", r.CreatedAt.Time())
	if err != nil {
		return feedback.Record{}, err
	}
	updated, err := wire.FieldInstant("data.item.conversation_rating.updated_at", r.UpdatedAt.Time())
	if err != nil {
		return feedback.Record{}, err
	}
	if t := wire.FirstTime(updated, created); !t.IsZero() {
		rec.Version = t.Unix()
	}
	rec.OccurredAt = wire.FirstTime(updated, created, notified)
	switch {
	case r.Contact != nil && r.Contact.ID != "":
		rec.Customer.ID = r.Contact.ID.String()
	case r.Customer != nil && r.Customer.ID != "":
		rec.Customer.ID = r.Customer.ID.String()
	}
	if r.Teammate != nil {
		rec.Agent = r.Teammate.ID.NonZero()
	}
	return rec, nil
}

// contacts, tags and parts accept Intercom's list objects
// ({"type": "contact.list", "contacts": […]}) and bare arrays (older API
// versions).
type (
	contacts []ref
	tags     []tag
	parts    []part
)

type tag struct {
	ID   wire.ID `json:"id"`
	Name string  `json:"name"`
}

func (l *contacts) UnmarshalJSON(b []byte) error { return unmarshalList(b, "contacts", (*[]ref)(l)) }
func (l *tags) UnmarshalJSON(b []byte) error     { return unmarshalList(b, "tags", (*[]tag)(l)) }
func (l *parts) UnmarshalJSON(b []byte) error {
	return unmarshalList(b, "conversation_parts", (*[]part)(l))
}

func unmarshalList(b []byte, key string, dst any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	if b[0] == '[' {
		return json.Unmarshal(b, dst)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("%s: want a list object or an array", key)
	}
	raw, ok := obj[key]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// names returns the tag names, as sent.
func (l tags) names() []string {
	names := make([]string, len(l))
	for i, t := range l {
		names[i] = t.Name
	}
	return names
}
