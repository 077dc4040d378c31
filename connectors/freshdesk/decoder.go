package freshdesk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/htmltext"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "freshdesk"

// Events, as the tenant's template names them (the `event` field).
const (
	EventTicketCreated = "ticket_created"
	EventTicketUpdated = "ticket_updated"
	EventReplyAdded    = "reply_added"
)

// Media types Freshdesk sends (its "JSON" and "X-FORM-URLENCODED"
// encodings; XML is not supported).
const (
	mediaJSON = "application/json"
	mediaForm = "application/x-www-form-urlencoded"
)

// simpleRoot is the root node Freshdesk wraps "simple" content in.
const simpleRoot = "freshdesk_webhook"

// NewFactory returns the Freshdesk connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindTicket, New: newDecoder}
}

type decoder struct {
	name    string
	secrets []string
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
	return &decoder{name: wire.SourceName(set, Type), secrets: append([]string(nil), cfg.Secrets...)}, nil
}

// payload is the JSON body: our "advanced" template, or Freshdesk's
// "simple" content under freshdesk_webhook.
type payload struct {
	Event     wire.Scalar            `json:"event"`
	Triggered wire.Scalar            `json:"triggered_event"` // {{triggered_event}}, if the template sends it
	Ticket    *ticket                `json:"ticket"`
	Reply     *reply                 `json:"reply"`
	CSAT      wire.Scalar            `json:"csat"`
	Simple    map[string]wire.Scalar `json:"freshdesk_webhook"`
}

type ticket struct {
	ID              wire.ID     `json:"id"`
	Subject         string      `json:"subject"`
	Description     string      `json:"description"`
	DescriptionText string      `json:"description_text"`
	Status          wire.Scalar `json:"status"`
	Priority        wire.Scalar `json:"priority"`
	Source          wire.Scalar `json:"source"`
	Type            wire.Scalar `json:"type"`
	TicketType      wire.Scalar `json:"ticket_type"`
	Tags            tags        `json:"tags"`
	GroupID         wire.ID     `json:"group_id"`
	AgentID         wire.ID     `json:"agent_id"`
	ResponderID     wire.ID     `json:"responder_id"`
	RequesterID     wire.ID     `json:"requester_id"`
	CompanyID       wire.ID     `json:"company_id"`
	Requester       *struct {
		ID wire.ID `json:"id"`
	} `json:"requester"`
	CreatedAt    wire.Scalar            `json:"created_at"` // a stamp
	UpdatedAt    wire.Scalar            `json:"updated_at"` // a stamp
	CustomFields map[string]wire.Scalar `json:"custom_fields"`
}

type reply struct {
	ID        wire.ID     `json:"id"`
	BodyText  string      `json:"body_text"`
	Body      string      `json:"body"`
	CreatedAt wire.Scalar `json:"created_at"` // a stamp
}

// fields is one delivery, whatever its layout.
type fields struct {
	event                                  string
	triggered                              string // {{triggered_event}} as rendered
	ticketID                               string
	idField                                string // how the layout names the ticket id, for errors
	subject, descHTML, descText            string
	status, priority, source, ticketType   string
	tags                                   []string
	groupID, groupName, agentID            string
	requesterID, companyID                 string
	createdAt, updatedAt                   string // stamps
	replyID, replyText, replyHTML          string
	replyAt                                string // a stamp
	csat                                   string
	custom                                 map[string]string
	createdField, updatedField, replyField string
}

// Decode turns one automation-rule webhook into one ticket record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("freshdesk: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	if err := connectors.RequireMediaType(req, mediaJSON, mediaForm); err != nil {
		return feedback.Record{}, err
	}
	var f fields
	if req.ContentType == mediaForm {
		vals, err := connectors.DecodeForm(req)
		if err != nil {
			return feedback.Record{}, err
		}
		f, err = fromForm(vals)
		if err != nil {
			return feedback.Record{}, err
		}
	} else {
		var p payload
		if err := connectors.DecodeJSON(req, &p); err != nil {
			return feedback.Record{}, err
		}
		var err error
		f, err = fromJSON(p)
		if err != nil {
			return feedback.Record{}, err
		}
	}
	if f.event == "" {
		f.event = queryEvent(req.URI)
	}
	return d.record(req, f)
}

func fromJSON(p payload) (fields, error) {
	switch {
	case p.Ticket != nil:
		t := p.Ticket
		f := fields{
			event:    scalar(p.Event),
			ticketID: t.ID.String(), idField: "ticket.id",
			subject: t.Subject, descHTML: t.Description, descText: t.DescriptionText,
			status: scalar(t.Status), priority: scalar(t.Priority), source: scalar(t.Source),
			ticketType: firstNonEmpty(scalar(t.TicketType), scalar(t.Type)),
			tags:       t.Tags,
			groupID:    t.GroupID.String(),
			agentID:    firstNonEmpty(t.AgentID.String(), t.ResponderID.String()),
			companyID:  t.CompanyID.String(),
			createdAt:  t.CreatedAt.Value, updatedAt: t.UpdatedAt.Value,
			createdField: "ticket.created_at", updatedField: "ticket.updated_at", replyField: "reply.created_at",
			csat:      scalar(p.CSAT),
			triggered: scalar(p.Triggered),
		}
		f.requesterID = t.RequesterID.String()
		if t.Requester != nil && t.Requester.ID != "" {
			f.requesterID = t.Requester.ID.String()
		}
		if p.Reply != nil {
			f.replyID, f.replyText, f.replyHTML, f.replyAt = p.Reply.ID.String(), p.Reply.BodyText, p.Reply.Body, p.Reply.CreatedAt.Value
		}
		f.custom = map[string]string{}
		for k, v := range t.CustomFields {
			if v.Valid {
				f.custom[k] = v.Value
			}
		}
		return f, nil
	case p.Simple != nil:
		vals := make(map[string]string, len(p.Simple))
		for k, v := range p.Simple {
			if v.Valid {
				vals[k] = v.Value
			}
		}
		f := fromSimple(vals, func(k string) string { return simpleRoot + "." + k })
		if f.event == "" {
			f.event = scalar(p.Event)
		}
		return f, nil
	}
	return fields{}, connectors.Malformedf(`ticket missing: want the advanced template's {"ticket": …} or Freshdesk simple content {"freshdesk_webhook": …}`)
}

// fromForm reads simple content sent as x-www-form-urlencoded: Rails-style
// freshdesk_webhook[ticket_id]=… keys (what Freshdesk sends), or bare
// ticket_id=… keys (a hand-written form body). Wrapped keys win.
func fromForm(vals url.Values) (fields, error) {
	flat := make(map[string]string, len(vals))
	wrapped := false
	for k, v := range vals {
		if inner, ok := strings.CutPrefix(k, simpleRoot+"["); ok && strings.HasSuffix(inner, "]") && len(v) > 0 {
			flat[strings.TrimSuffix(inner, "]")] = v[0]
			wrapped = true
		}
	}
	for k, v := range vals {
		if _, taken := flat[k]; !taken && !strings.HasPrefix(k, simpleRoot+"[") && len(v) > 0 {
			flat[k] = v[0]
		}
	}
	if wrapped {
		return fromSimple(flat, func(k string) string { return simpleRoot + "[" + k + "]" }), nil
	}
	return fromSimple(flat, func(k string) string { return k }), nil
}

// fromSimple maps the simple-content keys (ticket_id, ticket_subject, …)
// onto fields; name spells a key as the layout does, for errors.
func fromSimple(v map[string]string, name func(string) string) fields {
	f := fields{
		event:     v["event"],
		triggered: v["triggered_event"],
		ticketID:  v["ticket_id"], idField: name("ticket_id"),
		subject: v["ticket_subject"], descHTML: v["ticket_description"], descText: v["ticket_description_text"],
		status: v["ticket_status"], priority: v["ticket_priority"], source: v["ticket_source"],
		ticketType:  v["ticket_type"],
		tags:        splitTags(v["ticket_tags"]),
		groupID:     v["ticket_group_id"],
		groupName:   v["ticket_group_name"],
		agentID:     v["ticket_agent_id"],
		requesterID: v["ticket_requester_id"],
		companyID:   v["ticket_company_id"],
		createdAt:   v["ticket_created_at"], createdField: name("ticket_created_at"),
		updatedAt: v["ticket_updated_at"], updatedField: name("ticket_updated_at"),
		replyHTML: v["ticket_latest_public_comment"],
		csat:      v["csat"],
		custom:    map[string]string{},
	}
	for k, val := range v {
		// Custom fields are ticket_cf_<name>: Freshdesk prefixes custom
		// field names with cf_.
		if rest, ok := strings.CutPrefix(k, "ticket_cf_"); ok && rest != "" {
			f.custom["cf_"+rest] = val
		}
	}
	return f
}

func (d *decoder) record(req connectors.Request, f fields) (feedback.Record, error) {
	f.ticketID = strings.TrimSpace(f.ticketID)
	if f.ticketID == "" {
		return feedback.Record{}, connectors.Malformedf("%s missing", f.idField)
	}
	created, err := stampInstant(f.createdAt, f.createdField)
	if err != nil {
		return feedback.Record{}, err
	}
	updated, err := stampInstant(f.updatedAt, f.updatedField)
	if err != nil {
		return feedback.Record{}, err
	}
	replyAt, err := stampInstant(f.replyAt, f.replyField)
	if err != nil {
		return feedback.Record{}, err
	}

	replyText := strings.TrimSpace(f.replyText)
	if replyText == "" {
		replyText = htmltext.Text(stripAuthorPrefix(f.replyHTML))
	}
	event := strings.ToLower(strings.TrimSpace(f.event))
	if event == "" && strings.TrimSpace(f.triggered) != "" {
		var why string
		event, why = triggeredEvent(f.triggered)
		if why != "" {
			return feedback.Record{}, fmt.Errorf("%w: triggered_event %.64q: %s", connectors.ErrIgnored, f.triggered, why)
		}
	}
	if event == "" {
		switch {
		case replyText != "":
			event = EventReplyAdded
		case !updated.IsZero() && updated.After(created):
			event = EventTicketUpdated
		default:
			event = EventTicketCreated
		}
	}

	var rec feedback.Record
	switch event {
	case EventTicketCreated, EventTicketUpdated:
		rec = feedback.New(d.name, feedback.KindTicket, "ticket:"+f.ticketID)
		desc := strings.TrimSpace(f.descText)
		if desc == "" {
			desc = htmltext.Text(f.descHTML)
		}
		rec.Text = wire.JoinText(htmltext.Text(f.subject), desc)
		if t := wire.FirstTime(updated, created); !t.IsZero() {
			// Years before 1970 would give a version below 1.
			rec.Version = max(t.Unix(), 1)
		}
		rec.EventID = fmt.Sprintf("ticket:%s@%d", f.ticketID, rec.Version)
		rec.OccurredAt = wire.FirstTime(created, updated, req.ReceivedAt)
		if event == EventTicketUpdated {
			rec.OccurredAt = wire.FirstTime(updated, created, req.ReceivedAt)
		}
	case EventReplyAdded:
		if replyText == "" {
			return feedback.Record{}, fmt.Errorf("%w: %s: reply without text", connectors.ErrIgnored, event)
		}
		var key string
		switch {
		case strings.TrimSpace(f.replyID) != "":
			key = strings.TrimSpace(f.replyID)
		case !replyAt.IsZero():
			key = strconv.FormatInt(replyAt.Unix(), 10)
		case !updated.IsZero():
			key = strconv.FormatInt(updated.Unix(), 10)
		default:
			// Simple content carries neither: the text identifies the reply,
			// so a redelivery maps to the same record.
			sum := sha256.Sum256([]byte(replyText))
			key = "h" + hex.EncodeToString(sum[:8])
		}
		rec = feedback.New(d.name, feedback.KindTicket, "reply:"+f.ticketID+":"+key)
		rec.Text = replyText
		rec.OccurredAt = wire.FirstTime(replyAt, updated, req.ReceivedAt)
	default:
		return feedback.Record{}, fmt.Errorf("%w: event %q", connectors.ErrIgnored, f.event)
	}
	rec.ReceivedAt = req.ReceivedAt

	score, err := csatScore(f.csat)
	if err != nil {
		return feedback.Record{}, err
	}
	rec.Score = score

	rec.Customer.ID = idOrEmpty(f.requesterID)
	rec.Customer.AccountID = idOrEmpty(f.companyID)
	rec.Agent = idOrEmpty(f.agentID)
	wire.SetAttr(&rec, "ticket_id", f.ticketID)
	wire.SetAttr(&rec, "event", event)
	wire.SetAttr(&rec, "status", lookup(f.status, statusNames))
	wire.SetAttr(&rec, "priority", lookup(f.priority, priorityNames))
	wire.SetAttr(&rec, "source", lookup(f.source, sourceNames))
	wire.SetAttr(&rec, "ticket_type", strings.ToLower(strings.TrimSpace(f.ticketType)))
	wire.SetAttr(&rec, "group_id", idOrEmpty(f.groupID))
	wire.SetAttr(&rec, "group_name", strings.TrimSpace(f.groupName))
	wire.ApplyTags(&rec, f.tags, wire.KeepCommas)
	for k, v := range f.custom {
		k = strings.TrimSpace(k)
		if k == "" || wire.Personal(k) || wire.Personal(strings.TrimPrefix(k, "cf_")) {
			continue
		}
		wire.SetAttr(&rec, "custom."+k, strings.TrimSpace(v))
	}
	return rec, nil
}

// triggeredEvent maps Freshdesk's {{triggered_event}} placeholder onto an
// event, or returns why the delivery is ignored. Freshdesk renders the
// event that fired the rule as a hash without quotes: {ticket_action:created}
// (a ticket creation rule), {reply_sent:sent} (a reply; the setup in the
// README fires it only for replies performed by the requester),
// {note_type:public} or {note_type:private} (an agent's note),
// {status:{from:2,to:3}} and the like (a property change), and
// {ticket_update:updated|deleted|marked_as_spam}. Quotes and backslashes
// are ignored, so a JSON rendering works too. A value that is not a
// key:value hash (blank, an unrendered placeholder) gives ("", ""): the
// event is then inferred as without it.
func triggeredEvent(raw string) (event, ignore string) {
	s := strings.Map(func(r rune) rune {
		switch r {
		case '{', '}', '"', '\'', '\\', ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, strings.ToLower(raw))
	key, val, ok := strings.Cut(s, ":")
	if !ok || key == "" {
		return "", ""
	}
	switch key {
	case "ticket_action":
		if val == "created" {
			return EventTicketCreated, ""
		}
		return EventTicketUpdated, ""
	case "reply_sent":
		return EventReplyAdded, ""
	case "note_type":
		return "", "a note was added; notes are written by agents (a customer's reply fires reply_sent)"
	case "deleted", "spam":
		return "", "the ticket was deleted or marked as spam"
	case "ticket_update":
		if val == "deleted" || val == "marked_as_spam" {
			return "", "the ticket was deleted or marked as spam"
		}
	}
	return EventTicketUpdated, ""
}

// Freshdesk's numeric codes (ticket API); names (what placeholders such as
// {{ticket.status}} render) are lower-cased and kept.
var (
	statusNames   = map[string]string{"2": "open", "3": "pending", "4": "resolved", "5": "closed"}
	priorityNames = map[string]string{"1": "low", "2": "medium", "3": "high", "4": "urgent"}
	sourceNames   = map[string]string{"1": "email", "2": "portal", "3": "phone"}
)

func lookup(v string, names map[string]string) string {
	v = strings.TrimSpace(v)
	if n, ok := names[v]; ok {
		return n
	}
	return strings.ToLower(v)
}

// csatScores maps Freshdesk satisfaction codes onto a 1..7 CSAT scale.
// Classic 3-point surveys use 103/100/-103, so they land on 7/4/1.
var csatScores = map[int]float64{-103: 1, -102: 2, -101: 3, 100: 4, 101: 5, 102: 6, 103: 7}

func csatScore(v string) (*feedback.Score, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	score, ok := csatScores[n]
	if err != nil || !ok {
		return nil, connectors.Malformedf("csat %q is not a Freshdesk rating (103, 102, 101, 100, -101, -102, -103)", v)
	}
	return feedback.NewScore(feedback.ScoreCSAT, score, 1, 7)
}

// authorPrefix matches the "Name : " {{ticket.latest_public_comment}} puts
// before the comment's HTML.
var authorPrefix = regexp.MustCompile(`^\s*[^<>:\n]{1,100}\s:\s+<`)

func stripAuthorPrefix(s string) string {
	if loc := authorPrefix.FindStringIndex(s); loc != nil {
		return s[loc[1]-1:]
	}
	return s
}

// queryEvent returns the `event` query parameter of the callback URL.
func queryEvent(uri string) string {
	_, q, ok := strings.Cut(uri, "?")
	if !ok {
		return ""
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return ""
	}
	return vals.Get("event")
}

// tags accepts a JSON array of strings or the comma-separated string
// {{ticket.tags}} renders.
type tags []string

func (t *tags) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '[':
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*t = list
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = splitTags(s)
	case bytes.Equal(b, []byte("null")):
		*t = nil
	default:
		return fmt.Errorf("tags: want an array of strings or a comma-separated string")
	}
	return nil
}

func splitTags(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// stampLayouts are the layouts of a stamp, a timestamp as a template
// renders it: RFC 3339, or Ruby's "2006-01-02 15:04:05 UTC" /
// "2006-01-02 15:04:05 +0530" (what {{ticket.created_on}} renders), once
// stampInstant has cut a UTC zone name. A stamp may also be Unix seconds.
var stampLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00", "2006-01-02T15:04:05-0700", "2006-01-02 15:04:05"}

// stampInstant parses the stamp raw, the zero time when blank (absent);
// field names it in errors.
func stampInstant(raw, field string) (time.Time, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return time.Time{}, nil
	}
	var t time.Time
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		t = wire.Unix(n)
	} else {
		// Only UTC zone names are unambiguous; Go would invent a zero
		// offset for "IST".
		for _, utc := range []string{" UTC", " GMT", " Z"} {
			if base, ok := strings.CutSuffix(s, utc); ok {
				s = base
				break
			}
		}
		var ok bool
		if t, ok = wire.ParseTime(s, stampLayouts...); !ok {
			return time.Time{}, connectors.Malformedf("%s %.64q is not a timestamp (RFC 3339, \"2006-01-02 15:04:05 UTC\" or Unix seconds)", field, raw)
		}
	}
	return wire.FieldInstant(field, t)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func scalar(s wire.Scalar) string {
	if !s.Valid {
		return ""
	}
	return strings.TrimSpace(s.Value)
}

// idOrEmpty treats "0" and "null" (an unset placeholder) as absent.
func idOrEmpty(id string) string {
	id = strings.TrimSpace(id)
	if id == "0" || id == "null" {
		return ""
	}
	return id
}
