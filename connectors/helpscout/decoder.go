package helpscout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
const Type = "helpscout"

// Events decoded (X-HelpScout-Event).
const (
	EventConvoCreated        = "convo.created"
	EventConvoCustomerReply  = "convo.customer.reply.created"
	EventSatisfactionRatings = "satisfaction.ratings"
	EventSurveyResponse      = "message.survey.response.received"
)

// NewFactory returns the Help Scout connector factory. Records are tickets,
// except survey responses, which are surveys.
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

// person is a customer, user (agent) or thread author reference.
type person struct {
	ID   wire.ID `json:"id"`
	Type string  `json:"type"`
}

func (p *person) id() string {
	if p == nil {
		return ""
	}
	return p.ID.NonZero()
}

// conversation is the V2 Conversation object; v1 names (customer, owner,
// mailbox, threads as an array, tags as strings) are read as fallbacks.
type conversation struct {
	ID                   wire.ID   `json:"id"`
	Number               wire.ID   `json:"number"`
	Type                 string    `json:"type"`
	Status               string    `json:"status"`
	Subject              string    `json:"subject"`
	Preview              string    `json:"preview"`
	MailboxID            wire.ID   `json:"mailboxId"`
	Mailbox              *person   `json:"mailbox"`
	Assignee             *person   `json:"assignee"`
	Owner                *person   `json:"owner"`
	PrimaryCustomer      *person   `json:"primaryCustomer"`
	Customer             *person   `json:"customer"`
	CreatedBy            *person   `json:"createdBy"`
	CreatedAt            wire.Time `json:"createdAt"`
	UserUpdatedAt        wire.Time `json:"userUpdatedAt"`
	CustomerWaitingSince *struct {
		Time wire.Time `json:"time"`
	} `json:"customerWaitingSince"`
	Tags         tags            `json:"tags"`
	CustomFields []customField   `json:"customFields"`
	Threads      json.RawMessage `json:"threads"` // V2: a count; v1: the threads
	Embedded     struct {
		Threads []thread `json:"threads"`
	} `json:"_embedded"`
}

type thread struct {
	ID        wire.ID   `json:"id"`
	Type      string    `json:"type"`
	State     string    `json:"state"`
	Body      string    `json:"body"`
	Customer  *person   `json:"customer"`
	CreatedBy *person   `json:"createdBy"`
	CreatedAt wire.Time `json:"createdAt"`
}

// fromCustomer reports whether the customer wrote the thread: a customer
// thread (email, portal), or a chat/phone thread created by the customer.
// Agent replies, notes, drafts and line items are not customer voice.
func (t *thread) fromCustomer() bool {
	switch strings.ToLower(strings.TrimSpace(t.State)) {
	case "draft", "hidden":
		return false
	}
	switch strings.ToLower(strings.TrimSpace(t.Type)) {
	case "customer":
		return true
	case "chat", "beaconchat", "phone":
		return t.CreatedBy != nil && strings.EqualFold(t.CreatedBy.Type, "customer")
	}
	return false
}

type customField struct {
	Name  string      `json:"name"`
	Value wire.Scalar `json:"value"`
	Text  wire.Scalar `json:"text"`
}

type rating struct {
	ID             wire.ID   `json:"id"`
	Customer       *person   `json:"customer"`
	TicketID       wire.ID   `json:"ticketId"`
	ConversationID wire.ID   `json:"conversationId"`
	ThreadID       wire.ID   `json:"threadId"`
	Mailbox        *person   `json:"mailbox"`
	User           *person   `json:"user"`
	Rating         string    `json:"rating"`
	Comments       string    `json:"comments"`
	CreatedAt      wire.Time `json:"createdAt"`
	ModifiedAt     wire.Time `json:"modifiedAt"`
}

type surveyResponse struct {
	Message *struct {
		ID   wire.ID `json:"id"`
		Name string  `json:"name"`
	} `json:"message"`
	Response *struct {
		Name      string      `json:"name"` // Faces, Thumbs and Emoji surveys only
		Value     wire.Scalar `json:"value"`
		Category  string      `json:"category"`
		Comment   string      `json:"comment"`
		Timestamp wire.Time   `json:"timestamp"`
	} `json:"response"`
	Embedded struct {
		Customer *person `json:"customer"`
	} `json:"_embedded"`
}

// Decode turns one webhook into one record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("helpscout: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	event := strings.TrimSpace(req.Header.Get(EventHeader))
	// parse decodes the body into v: with the event header, straight from
	// the request (content type and shape checked); without it, the body
	// was checked while inferring the event.
	parse := func(v any) error { return connectors.DecodeJSON(req, v) }
	if event == "" {
		var top map[string]json.RawMessage
		if err := connectors.DecodeJSON(req, &top); err != nil {
			return feedback.Record{}, err
		}
		var err error
		if event, err = inferEvent(top, req.Body); err != nil {
			return feedback.Record{}, err
		}
		parse = func(v any) error {
			if err := json.Unmarshal(req.Body, v); err != nil {
				return connectors.Malformedf("invalid JSON: %v", err)
			}
			return nil
		}
	}
	var (
		rec feedback.Record
		err error
	)
	switch event {
	case EventConvoCreated, EventConvoCustomerReply:
		var c conversation
		if err := parse(&c); err != nil {
			return feedback.Record{}, err
		}
		rec, err = d.conversation(event, c, req)
	case EventSatisfactionRatings:
		var r rating
		if err := parse(&r); err != nil {
			return feedback.Record{}, err
		}
		rec, err = d.rating(r, req)
	case EventSurveyResponse:
		var s surveyResponse
		if err := parse(&s); err != nil {
			return feedback.Record{}, err
		}
		rec, err = d.survey(s, req)
	default:
		// Still a JSON body, whatever its shape.
		var skip struct{}
		if err := parse(&skip); err != nil {
			return feedback.Record{}, err
		}
		return feedback.Record{}, fmt.Errorf("%w: event %q", connectors.ErrIgnored, event)
	}
	if err != nil {
		return feedback.Record{}, err
	}
	rec.ReceivedAt = req.ReceivedAt
	wire.SetAttr(&rec, "event", event)
	return rec, nil
}

// inferEvent names the event of a body sent without X-HelpScout-Event
// (replays, `corridor sign`, curl) from its shape. A conversation with more
// than one customer thread (or more than one thread) is a customer reply.
func inferEvent(top map[string]json.RawMessage, body []byte) (string, error) {
	has := func(k string) bool {
		v, ok := top[k]
		return ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
	}
	switch {
	case has("response"):
		return EventSurveyResponse, nil
	case has("rating") && (has("ticketId") || has("threadId") || has("conversationId")):
		return EventSatisfactionRatings, nil
	case has("id") && (has("subject") || has("mailboxId") || has("mailbox") || has("_embedded") || has("threads") || has("primaryCustomer")):
		var c conversation
		if err := json.Unmarshal(body, &c); err != nil {
			return "", connectors.Malformedf("conversation: %v", err)
		}
		n := 0
		for _, t := range c.threads() {
			if t.fromCustomer() {
				n++
			}
		}
		var count int
		if n <= 1 && json.Unmarshal(c.Threads, &count) == nil && count > 1 {
			n = count
		}
		if n > 1 {
			return EventConvoCustomerReply, nil
		}
		return EventConvoCreated, nil
	}
	return "", connectors.Malformedf("%s header missing and the body is not a conversation, rating or survey response", EventHeader)
}

// threads returns the embedded threads (V2), else the v1 threads array.
func (c *conversation) threads() []thread {
	if len(c.Embedded.Threads) > 0 {
		return c.Embedded.Threads
	}
	if t := bytes.TrimSpace(c.Threads); len(t) > 0 && t[0] == '[' {
		var list []thread
		if json.Unmarshal(t, &list) == nil {
			return list
		}
	}
	return nil
}

func (d *decoder) conversation(event string, c conversation, req connectors.Request) (feedback.Record, error) {
	convID := c.ID.String()
	if convID == "" {
		return feedback.Record{}, connectors.Malformedf("id missing")
	}
	created, err := wire.FieldInstant("createdAt", c.CreatedAt.Time)
	if err != nil {
		return feedback.Record{}, err
	}
	updated, err := wire.FieldInstant("userUpdatedAt", c.UserUpdatedAt.Time)
	if err != nil {
		return feedback.Record{}, err
	}
	var waiting time.Time
	if c.CustomerWaitingSince != nil {
		if waiting, err = wire.FieldInstant("customerWaitingSince.time", c.CustomerWaitingSince.Time.Time); err != nil {
			return feedback.Record{}, err
		}
	}

	// The newest customer thread with text.
	all := c.threads()
	var th *thread
	var body string
	var thAt time.Time
	for i := range all {
		t := &all[i]
		if !t.fromCustomer() {
			continue
		}
		text := htmltext.Text(t.Body)
		if text == "" {
			continue
		}
		at, err := wire.FieldInstant(fmt.Sprintf("_embedded.threads[%d].createdAt", i), t.CreatedAt.Time)
		if err != nil {
			return feedback.Record{}, err
		}
		if th == nil || newer(at, t.ID, thAt, th.ID) {
			th, body, thAt = t, text, at
		}
	}

	var rec feedback.Record
	switch {
	case th != nil:
		if th.ID == "" {
			return feedback.Record{}, connectors.Malformedf("_embedded.threads[].id missing")
		}
		rec = feedback.New(d.name, feedback.KindTicket, convID+":"+th.ID.String())
		rec.Text = body
		rec.OccurredAt = wire.FirstTime(thAt, created, req.ReceivedAt)
		if event == EventConvoCustomerReply {
			rec.OccurredAt = wire.FirstTime(thAt, waiting, updated, req.ReceivedAt)
		}
		wire.SetAttr(&rec, "thread_id", th.ID.String())
		rec.Customer.ID = th.CreatedBy.id()
		if th.CreatedBy != nil && !strings.EqualFold(th.CreatedBy.Type, "customer") {
			rec.Customer.ID = ""
		}
		if rec.Customer.ID == "" {
			rec.Customer.ID = th.Customer.id()
		}
	case len(all) > 0:
		return feedback.Record{}, fmt.Errorf("%w: %s: no customer thread with text", connectors.ErrIgnored, event)
	default:
		// No threads embedded: the preview (the newest thread, truncated)
		// is all the text there is.
		if event == EventConvoCreated && c.CreatedBy != nil && c.CreatedBy.Type != "" && !strings.EqualFold(c.CreatedBy.Type, "customer") {
			return feedback.Record{}, fmt.Errorf("%w: %s: started by a user, not a customer", connectors.ErrIgnored, event)
		}
		body = htmltext.Text(c.Preview)
		if body == "" {
			return feedback.Record{}, fmt.Errorf("%w: %s: no thread and no preview", connectors.ErrIgnored, event)
		}
		key := convID
		if event == EventConvoCustomerReply {
			switch at := wire.FirstTime(waiting, updated); {
			case !at.IsZero():
				key += "@" + strconv.FormatInt(at.Unix(), 10)
			default:
				sum := sha256.Sum256([]byte(body))
				key += "@h" + hex.EncodeToString(sum[:8])
			}
		}
		rec = feedback.New(d.name, feedback.KindTicket, key)
		rec.Text = body
		rec.OccurredAt = wire.FirstTime(created, req.ReceivedAt)
		if event == EventConvoCustomerReply {
			rec.OccurredAt = wire.FirstTime(waiting, updated, req.ReceivedAt)
		}
	}
	if event == EventConvoCreated {
		rec.Text = wire.JoinText(htmltext.Text(c.Subject), rec.Text)
	}
	if rec.Customer.ID == "" {
		rec.Customer.ID = c.PrimaryCustomer.id()
	}
	if rec.Customer.ID == "" {
		rec.Customer.ID = c.Customer.id()
	}
	rec.Agent = c.Assignee.id()
	if rec.Agent == "" {
		rec.Agent = c.Owner.id()
	}
	wire.SetAttr(&rec, "conversation_id", convID)
	wire.SetAttr(&rec, "conversation_number", c.Number.NonZero())
	mailbox := c.MailboxID.NonZero()
	if mailbox == "" {
		mailbox = c.Mailbox.id()
	}
	wire.SetAttr(&rec, "mailbox_id", mailbox)
	wire.SetAttr(&rec, "status", strings.ToLower(strings.TrimSpace(c.Status)))
	wire.SetAttr(&rec, "channel", strings.ToLower(strings.TrimSpace(c.Type)))
	wire.ApplyTags(&rec, c.Tags, wire.CommasToSpaces)
	for _, f := range c.CustomFields {
		name := strings.TrimSpace(f.Name)
		if name == "" || wire.Personal(name) {
			continue
		}
		v := f.Text
		if !v.Valid || strings.TrimSpace(v.Value) == "" {
			v = f.Value
		}
		if v.Valid {
			wire.SetAttr(&rec, "custom."+name, strings.TrimSpace(v.Value))
		}
	}
	return rec, nil
}

// newer reports whether thread (at, id) is newer than (bestAt, bestID): by
// time, then by numeric id (ids grow), else the earlier one in the list
// (Help Scout lists threads newest first).
func newer(at time.Time, id wire.ID, bestAt time.Time, bestID wire.ID) bool {
	if !at.Equal(bestAt) {
		return at.After(bestAt)
	}
	a, errA := strconv.ParseInt(id.String(), 10, 64)
	b, errB := strconv.ParseInt(bestID.String(), 10, 64)
	return errA == nil && errB == nil && a > b
}

// ratingScores is Help Scout's 3-point satisfaction scale. The Rating
// object documents Great, Okay and Bad; the UI says "Not Good".
var ratingScores = map[string]float64{"great": 3, "okay": 2, "ok": 2, "bad": 1, "not good": 1, "notgood": 1, "not_good": 1}

func (d *decoder) rating(r rating, req connectors.Request) (feedback.Record, error) {
	if r.ID == "" {
		return feedback.Record{}, connectors.Malformedf("id missing")
	}
	v, ok := ratingScores[strings.ToLower(strings.TrimSpace(r.Rating))]
	if !ok {
		return feedback.Record{}, connectors.Malformedf("rating %q is not Great, Okay or Bad", r.Rating)
	}
	created, err := wire.FieldInstant("createdAt", r.CreatedAt.Time)
	if err != nil {
		return feedback.Record{}, err
	}
	modified, err := wire.FieldInstant("modifiedAt", r.ModifiedAt.Time)
	if err != nil {
		return feedback.Record{}, err
	}
	rec := feedback.New(d.name, feedback.KindTicket, "rating:"+r.ID.String())
	rec.Score, err = feedback.NewScore(feedback.ScoreCSAT, v, 1, 3)
	if err != nil {
		return feedback.Record{}, connectors.Malformedf("rating: %v", err)
	}
	rec.Text = htmltext.Text(r.Comments)
	if t := wire.FirstTime(modified, created); !t.IsZero() {
		rec.Version = t.Unix()
	}
	rec.EventID = fmt.Sprintf("rating:%s@%d", r.ID, rec.Version)
	rec.OccurredAt = wire.FirstTime(modified, created, req.ReceivedAt)
	rec.Customer.ID = r.Customer.id()
	rec.Agent = r.User.id()
	conv := r.TicketID.NonZero()
	if conv == "" {
		conv = r.ConversationID.NonZero()
	}
	wire.SetAttr(&rec, "conversation_id", conv)
	wire.SetAttr(&rec, "thread_id", r.ThreadID.NonZero())
	wire.SetAttr(&rec, "mailbox_id", r.Mailbox.id())
	wire.SetAttr(&rec, "rating", strings.ToLower(strings.TrimSpace(r.Rating)))
	return rec, nil
}

// optionScores scores the fixed options of Help Scout's Faces and Thumbs
// surveys by response.name (the Survey Response Data object documents the
// names; the emoji in response.value are not matched). Both are
// satisfaction questions, so both are csat: Faces on 1..3 like the
// Great/Okay/Bad rating, Thumbs on 0..1 like Zendesk's good/bad. Emoji
// surveys name their emoji too, but the set is the account's own: no score.
var optionScores = map[string]struct{ value, min, max float64 }{
	"happy":       {3, 1, 3},
	"neutral":     {2, 1, 3},
	"sad":         {1, 1, 3},
	"thumbs up":   {1, 0, 1},
	"thumbs down": {0, 0, 1},
}

func (d *decoder) survey(s surveyResponse, req connectors.Request) (feedback.Record, error) {
	r := s.Response
	if r == nil {
		return feedback.Record{}, connectors.Malformedf("response missing")
	}
	at, err := wire.FieldInstant("response.timestamp", r.Timestamp.Time)
	if err != nil {
		return feedback.Record{}, err
	}
	if at.IsZero() {
		return feedback.Record{}, connectors.Malformedf("response.timestamp missing")
	}
	value := ""
	if r.Value.Valid {
		value = strings.TrimSpace(r.Value.Value)
	}
	name := strings.TrimSpace(r.Name)
	comment := htmltext.Text(r.Comment)
	if value == "" && name == "" && comment == "" {
		return feedback.Record{}, fmt.Errorf("%w: %s: empty response", connectors.ErrIgnored, EventSurveyResponse)
	}
	var survey string
	if s.Message != nil {
		survey = strings.TrimSpace(s.Message.Name)
	}
	customer := s.Embedded.Customer.id()
	who := customer
	if who == "" {
		// Anonymous: the response itself identifies it.
		sum := sha256.Sum256([]byte(survey + "\x00" + value + "\x00" + name + "\x00" + comment))
		who = "anon-" + hex.EncodeToString(sum[:8])
	}
	rec := feedback.New(d.name, feedback.KindSurvey, "survey:"+who+":"+strconv.FormatInt(at.Unix(), 10))
	rec.OccurredAt = at
	rec.Customer.ID = customer
	rec.Text = comment
	category := strings.ToLower(strings.TrimSpace(r.Category))
	if n, err := strconv.Atoi(value); err == nil && n >= 0 && n <= 10 {
		switch category {
		case "", feedback.NPSPromoter, feedback.NPSPassive, feedback.NPSDetractor:
			if rec.Score, err = feedback.NewScore(feedback.ScoreNPS, float64(n), 0, 10); err != nil {
				return feedback.Record{}, connectors.Malformedf("response.value: %v", err)
			}
		}
	}
	if rec.Score == nil {
		if sc, ok := optionScores[strings.ToLower(strings.Join(strings.Fields(name), " "))]; ok {
			if rec.Score, err = feedback.NewScore(feedback.ScoreCSAT, sc.value, sc.min, sc.max); err != nil {
				return feedback.Record{}, connectors.Malformedf("response.name: %v", err)
			}
		}
	}
	wire.SetAttr(&rec, "response.name", name)
	wire.SetAttr(&rec, "response.value", value)
	wire.SetAttr(&rec, "response.category", category)
	wire.SetAttr(&rec, "survey_name", survey)
	if s.Message != nil {
		wire.SetAttr(&rec, "survey_id", s.Message.ID.NonZero())
	}
	return rec, nil
}

// tags accepts V2 tag objects ({"id":…, "tag":"vip", "color":…}) and v1
// tag strings.
type tags []string

func (t *tags) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("tags: want an array")
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		r = bytes.TrimSpace(r)
		switch {
		case len(r) > 0 && r[0] == '"':
			var s string
			if err := json.Unmarshal(r, &s); err != nil {
				return err
			}
			out = append(out, s)
		case len(r) > 0 && r[0] == '{':
			var o struct {
				Tag  string `json:"tag"`
				Name string `json:"name"`
			}
			if err := json.Unmarshal(r, &o); err != nil {
				return err
			}
			if o.Tag == "" {
				o.Tag = o.Name
			}
			out = append(out, o.Tag)
		default:
			return fmt.Errorf("tags: want strings or tag objects")
		}
	}
	*t = out
	return nil
}
