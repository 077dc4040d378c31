package front

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/htmltext"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "front"

// Event types of application webhooks (the top-level type of the
// envelope). Only EventInboundReceived is decoded; the others are named so
// their ErrIgnored reason is explicit.
const (
	EventInboundReceived = "inbound_received"
	EventOutboundSent    = "outbound_sent"
	EventCommentAdded    = "new_comment_added"
	EventSync            = "sync"
)

// ignoredReasons explains the event types we deliberately do not decode.
var ignoredReasons = map[string]string{
	EventOutboundSent:             "an agent's reply, not customer voice",
	EventCommentAdded:             "an internal teammate comment",
	EventSync:                     "the webhook validation body (answered by Handshake when x-front-challenge is set)",
	"tag_added":                   "a tag change",
	"tag_removed":                 "a tag change",
	"assignee_changed":            "an assignment change",
	"conversation_moved":          "a move between inboxes",
	"conversation_archived":       "a conversation status change",
	"conversation_reopened":       "a conversation status change",
	"conversation_deleted":        "a conversation status change",
	"conversation_restored":       "a conversation status change",
	"conversation_snoozed":        "a conversation status change",
	"conversation_snooze_expired": "a conversation status change",
	"message_delivery_failed":     "a delivery failure of an outgoing message",
	"link_added":                  "a link change",
	"link_removed":                "a link change",
}

// eventAPITypes maps Events API types (the type of the Event object: the
// payload.type of an application webhook, and the type of a flat body) to
// the application-webhook type they correspond to, so both names of an
// event are treated alike. Types not listed are used as they are.
var eventAPITypes = map[string]string{
	"inbound":   EventInboundReceived,
	"outbound":  EventOutboundSent,
	"out_reply": EventOutboundSent,
	"comment":   EventCommentAdded,
	"mention":   EventCommentAdded,
	"tag":       "tag_added",
	"untag":     "tag_removed",
	"assign":    "assignee_changed",
	"unassign":  "assignee_changed",
	"move":      "conversation_moved",
	"archive":   "conversation_archived",
	"reopen":    "conversation_reopened",
	"trash":     "conversation_deleted",
	"restore":   "conversation_restored",
}

// appType returns the application-webhook type for typ, which may be
// either an application-webhook or an Events API type.
func appType(typ string) string {
	if t, ok := eventAPITypes[typ]; ok {
		return t
	}
	return typ
}

// checkType returns nil for a type that yields a record and ErrIgnored,
// naming typ and the reason when there is one, for any other.
func checkType(typ string) error {
	app := appType(typ)
	if app == EventInboundReceived {
		return nil
	}
	name := fmt.Sprintf("%q", typ)
	if app != typ {
		name += " (" + app + ")"
	}
	if why := ignoredReasons[app]; why != "" {
		return fmt.Errorf("%w: event type %s: %s", connectors.ErrIgnored, name, why)
	}
	return fmt.Errorf("%w: event type %s", connectors.ErrIgnored, name)
}

// NewFactory returns the Front connector factory.
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
	_ connectors.Decoder    = (*decoder)(nil)
	_ connectors.Verifier   = (*decoder)(nil)
	_ connectors.Signer     = (*decoder)(nil)
	_ connectors.Handshaker = (*decoder)(nil)
)

func newDecoder(cfg connectors.SourceConfig, set connectors.Settings) (connectors.Decoder, error) {
	if err := wire.NoOptions(Type, cfg.Options); err != nil {
		return nil, err
	}
	return &decoder{name: wire.SourceName(set, Type), keys: sig.Keys(cfg.Secrets), tol: cfg.ToleranceOrDefault(), now: set.Clock()}, nil
}

// delivery is a request body in either shape: an application webhook
// wraps the Event object as {type, authorization: {id}, payload: {…}}; a
// flat body (a rule webhook, or the shape VENDORS.md §2.7 assumed) is the
// Event object itself.
type delivery struct {
	event
	Payload json.RawMessage `json:"payload"`
}

// event is Front's Event object. conversation, source and target are
// parsed only for the events we handle.
type event struct {
	ID           wire.ID         `json:"id"`
	Type         string          `json:"type"`
	EmittedAt    seconds         `json:"emitted_at"`
	Conversation json.RawMessage `json:"conversation"`
	Source       json.RawMessage `json:"source"`
	Target       json.RawMessage `json:"target"`
}

type conversation struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Assignee *struct {
		ID string `json:"id"`
	} `json:"assignee"`
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
	// subject is not decoded: it repeats on every message ("Re: …").
}

type resource struct {
	Meta struct {
		Type string `json:"type"`
	} `json:"_meta"`
	Data json.RawMessage `json:"data"`
}

type message struct {
	ID         string      `json:"id"`
	Type       string      `json:"type"`
	IsInbound  *bool       `json:"is_inbound"`
	CreatedAt  seconds     `json:"created_at"`
	Body       string      `json:"body"`
	Text       string      `json:"text"`
	Recipients []recipient `json:"recipients"`
}

type recipient struct {
	Role  string `json:"role"`
	Links struct {
		Related struct {
			Contact *string `json:"contact"`
		} `json:"related"`
	} `json:"_links"`
	// handle (an email address or phone number) is deliberately not decoded.
}

// Decode turns one inbound_received event, enveloped or flat, into one
// ticket record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("front: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	var b delivery
	if err := connectors.DecodeJSON(req, &b); err != nil {
		return feedback.Record{}, err
	}
	// The outer type decides, before the rest is looked at: an event we do
	// not decode is ignored whatever the shape of its payload.
	typ := b.Type
	if typ != "" {
		if err := checkType(typ); err != nil {
			return feedback.Record{}, err
		}
	}
	ev, p, err := unwrap(b)
	if err != nil {
		return feedback.Record{}, err
	}
	if typ == "" {
		if typ = ev.Type; typ == "" {
			return feedback.Record{}, connectors.Malformedf("type missing")
		}
		if err := checkType(typ); err != nil {
			return feedback.Record{}, err
		}
	}
	if ev.ID == "" {
		return feedback.Record{}, connectors.Malformedf("%sid missing", p)
	}
	var target resource
	if err := wire.UnmarshalOptional(ev.Target, &target); err != nil {
		return feedback.Record{}, connectors.Malformedf("%starget: %v", p, err)
	}
	if t := target.Meta.Type; t != "" && t != "message" {
		return feedback.Record{}, connectors.Malformedf("%starget._meta.type %q, want message", p, t)
	}
	if len(target.Data) == 0 || string(target.Data) == "null" {
		return feedback.Record{}, connectors.Malformedf("%starget.data missing", p)
	}
	var msg message
	if err := json.Unmarshal(target.Data, &msg); err != nil {
		return feedback.Record{}, connectors.Malformedf("%starget.data: %v", p, err)
	}
	msgID := strings.TrimSpace(msg.ID)
	if msgID == "" {
		return feedback.Record{}, connectors.Malformedf("%starget.data.id missing", p)
	}
	if msg.IsInbound != nil && !*msg.IsInbound {
		return feedback.Record{}, fmt.Errorf("%w: %s: message is not inbound", connectors.ErrIgnored, typ)
	}
	var conv conversation
	if err := wire.UnmarshalOptional(ev.Conversation, &conv); err != nil {
		return feedback.Record{}, connectors.Malformedf("%sconversation: %v", p, err)
	}
	var source resource
	if err := wire.UnmarshalOptional(ev.Source, &source); err != nil {
		return feedback.Record{}, connectors.Malformedf("%ssource: %v", p, err)
	}

	text := strings.TrimSpace(msg.Text)
	if text == "" {
		text = htmltext.Text(msg.Body)
	}
	if text == "" {
		return feedback.Record{}, fmt.Errorf("%w: %s: message without text", connectors.ErrIgnored, typ)
	}

	rec := feedback.New(d.name, feedback.KindTicket, msgID)
	rec.EventID = ev.ID.String()
	rec.ReceivedAt = req.ReceivedAt
	rec.OccurredAt = req.ReceivedAt
	at, ok, err := wire.FirstInstant(
		wire.Stamp{Field: p + "target.data.created_at", Time: msg.CreatedAt.Time()},
		wire.Stamp{Field: p + "emitted_at", Time: ev.EmittedAt.Time()},
	)
	if err != nil {
		return feedback.Record{}, err
	}
	if ok {
		rec.OccurredAt = at
	}
	rec.Text = text
	rec.Customer.ID = contactID(msg.Recipients)
	if conv.Assignee != nil {
		rec.Agent = strings.TrimSpace(conv.Assignee.ID)
	}
	wire.SetAttr(&rec, "message_id", msgID)
	wire.SetAttr(&rec, "conversation_id", strings.TrimSpace(conv.ID))
	wire.SetAttr(&rec, "conversation_status", strings.TrimSpace(strings.ToLower(conv.Status)))
	wire.SetAttr(&rec, "inbox_id", inboxIDs(source))
	wire.SetAttr(&rec, "channel", strings.TrimSpace(strings.ToLower(msg.Type)))
	tags := make([]string, len(conv.Tags))
	for i, t := range conv.Tags {
		tags[i] = t.Name
	}
	wire.SetAttr(&rec, "tags", wire.JoinList(tags))
	return rec, nil
}

// unwrap returns the Event object of b and the path prefix that names its
// fields in errors: the payload object of an application webhook
// ("payload."), else b itself (""). A payload that is present but not an
// object is ErrMalformed.
func unwrap(b delivery) (event, string, error) {
	raw := bytes.TrimSpace(b.Payload)
	if len(raw) == 0 || string(raw) == "null" {
		return b.event, "", nil
	}
	if raw[0] != '{' {
		return event{}, "", connectors.Malformedf("payload: want an object")
	}
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return event{}, "", connectors.Malformedf("payload: %v", err)
	}
	return ev, "payload.", nil
}

// contactID returns the Front contact id (crd_…) linked from the `from`
// recipient, or "" when there is none. Ids that embed a handle (an alias
// id such as alt:email:…) are dropped: they would put PII in customer.id.
func contactID(rs []recipient) string {
	for _, r := range rs {
		if !strings.EqualFold(r.Role, "from") || r.Links.Related.Contact == nil {
			continue
		}
		link := strings.TrimSpace(*r.Links.Related.Contact)
		u, err := url.Parse(link)
		if err != nil {
			return ""
		}
		path := strings.TrimRight(u.EscapedPath(), "/")
		seg := path[strings.LastIndexByte(path, '/')+1:]
		id, err := url.PathUnescape(seg)
		if err != nil || id == "" || strings.ContainsAny(id, "@:+ ") {
			return ""
		}
		return id
	}
	return ""
}

// inboxIDs returns the comma-joined ids of an event source of type
// inboxes ({_meta:{type:"inboxes"}, data:[{id}]}), else "".
func inboxIDs(src resource) string {
	if src.Meta.Type != "inboxes" || len(src.Data) == 0 {
		return ""
	}
	var inboxes []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(src.Data, &inboxes) != nil {
		return ""
	}
	ids := make([]string, 0, len(inboxes))
	for _, in := range inboxes {
		if id := strings.TrimSpace(in.ID); id != "" {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, ",")
}

// seconds is a Unix timestamp in seconds with a fraction (Front sends
// 1740909672.123), as a JSON number or numeric string; null and 0 are
// absent. Time keeps millisecond precision.
type seconds float64

// UnmarshalJSON accepts a number, a numeric string or null.
func (s *seconds) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*s = 0
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(v))
		if len(b) == 0 {
			return nil
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f > wire.MaxUnix+1 {
		return fmt.Errorf("unix timestamp %.40q is not a number of seconds before year 10000", b)
	}
	*s = seconds(f)
	return nil
}

// Time returns the instant in UTC, or the zero time when s <= 0.
func (s seconds) Time() time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(math.Round(float64(s) * 1000))).UTC()
}
