package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "hubspot"

// Subscription types decoded.
const (
	EventTicketCreation       = "ticket.creation"
	EventTicketPropertyChange = "ticket.propertyChange"
	EventObjectCreation       = "object.creation"
	EventObjectPropertyChange = "object.propertyChange"
)

// TicketObjectTypeID is the objectTypeId of tickets in generic object.*
// events.
const TicketObjectTypeID = "0-5"

// Options a source may set (SourceConfig.Options).
const (
	// OptionPublicURL is the scheme and host (and any path prefix a proxy
	// strips) HubSpot calls, e.g. https://hooks.example.com; it is
	// prepended to the request's path and query for v3 verification.
	OptionPublicURL = "public_url"
	// OptionAllowV1 ("true" or "false", default false) accepts requests
	// that carry only the legacy v1 signature, which signs no timestamp
	// and so can be replayed forever.
	OptionAllowV1 = "allow_v1"
)

// Text properties whose propertyChange carries ticket text.
const (
	propContent = "content"
	propSubject = "subject"
)

// NewFactory returns the HubSpot connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindTicket, New: newDecoder}
}

type decoder struct {
	name      string
	keys      [][]byte
	secrets   []string
	publicURL string
	allowV1   bool
	tol       time.Duration
	now       func() time.Time
}

var (
	_ connectors.Decoder  = (*decoder)(nil)
	_ connectors.Verifier = (*decoder)(nil)
	_ connectors.Signer   = (*decoder)(nil)
)

func newDecoder(cfg connectors.SourceConfig, set connectors.Settings) (connectors.Decoder, error) {
	d := &decoder{
		name:    wire.SourceName(set, Type),
		keys:    sig.Keys(cfg.Secrets),
		secrets: cfg.Secrets,
		tol:     cfg.ToleranceOrDefault(),
		now:     set.Clock(),
	}
	var errs []error
	var unknown []string
	for k, v := range cfg.Options {
		switch k {
		case OptionPublicURL:
			u, err := parsePublicURL(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("options.%s: %w", k, err))
			}
			d.publicURL = u
		case OptionAllowV1:
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				errs = append(errs, fmt.Errorf("options.%s: %q is not true or false", k, v))
			}
			d.allowV1 = b
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		errs = append(errs, fmt.Errorf("options %s: unknown (hubspot takes %s and %s)", strings.Join(unknown, ", "), OptionPublicURL, OptionAllowV1))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("hubspot: %w", err)
	}
	return d, nil
}

// parsePublicURL accepts an absolute http(s) URL without query or fragment
// and returns it without a trailing slash; "" stays "".
func parsePublicURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a URL: %w", s, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%q: want an absolute http(s) URL such as https://hooks.example.com", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%q: no query, fragment or user info allowed", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// event is one item of the batch. Only the fields we use are decoded.
type event struct {
	EventID          wire.ID     `json:"eventId"`
	SubscriptionID   wire.ID     `json:"subscriptionId"`
	PortalID         wire.ID     `json:"portalId"`
	AppID            wire.ID     `json:"appId"`
	OccurredAt       wire.Millis `json:"occurredAt"`
	SubscriptionType string      `json:"subscriptionType"`
	EventType        string      `json:"eventType"`
	ObjectID         wire.ID     `json:"objectId"`
	ObjectTypeID     string      `json:"objectTypeId"`
	PropertyName     string      `json:"propertyName"`
	PropertyValue    *string     `json:"propertyValue"`
	ChangeSource     string      `json:"changeSource"`
}

// eventHead is decoded first, so events we skip may have any shape.
type eventHead struct {
	SubscriptionType string `json:"subscriptionType"`
	EventType        string `json:"eventType"`
	ObjectTypeID     any    `json:"objectTypeId"`
	PropertyName     any    `json:"propertyName"`
}

// Decode turns a batch of events into ticket records, in batch order.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	recs, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("hubspot: decode: %w", err)
	}
	return recs, nil
}

func (d *decoder) decode(req connectors.Request) ([]feedback.Record, error) {
	if err := connectors.RequireMediaType(req, "application/json"); err != nil {
		return nil, err
	}
	if b := bytes.TrimSpace(req.Body); len(b) == 0 || b[0] != '[' {
		return nil, connectors.Malformedf("body is not a JSON array of events")
	}
	var items []json.RawMessage
	if err := connectors.DecodeJSON(req, &items); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, connectors.Malformedf("empty batch")
	}
	var (
		drafts  []draft
		skipped = map[string]int{}
		index   = map[string]int{} // record id + version → index in drafts
	)
	for i, raw := range items {
		var head eventHead
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, connectors.Malformedf("event %d: %v", i, err)
		}
		typ := head.SubscriptionType
		if typ == "" {
			typ = head.EventType
		}
		if strings.TrimSpace(typ) == "" {
			return nil, connectors.Malformedf("event %d: subscriptionType missing", i)
		}
		if !handled(typ, head) {
			skipped[skipReason(typ, head)]++
			continue
		}
		var ev event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, connectors.Malformedf("event %d (%s): %v", i, truncate(typ, 60), err)
		}
		ev.SubscriptionType = typ
		dr, err := d.draft(req, i, ev)
		if err != nil {
			return nil, err
		}
		key := dr.rec.ID + "\x00" + strconv.FormatInt(dr.rec.Version, 10)
		if j, ok := index[key]; ok {
			drafts[j].merge(dr)
			continue
		}
		index[key] = len(drafts)
		drafts = append(drafts, dr)
	}
	if len(drafts) == 0 {
		return nil, fmt.Errorf("%w: no ticket event in batch (%s)", connectors.ErrIgnored, summarize(skipped))
	}
	recs := make([]feedback.Record, len(drafts))
	for i, dr := range drafts {
		recs[i] = dr.record()
	}
	return recs, nil
}

// handled reports whether an event of type typ yields a record. Only the
// head is inspected, so skipped events are never fully decoded.
func handled(typ string, head eventHead) bool {
	switch typ {
	case EventTicketCreation:
		return true
	case EventTicketPropertyChange:
		return isTextProperty(head.PropertyName)
	case EventObjectCreation:
		return head.ObjectTypeID == TicketObjectTypeID
	case EventObjectPropertyChange:
		return head.ObjectTypeID == TicketObjectTypeID && isTextProperty(head.PropertyName)
	}
	return false
}

func isTextProperty(v any) bool {
	s, _ := v.(string)
	return s == propContent || s == propSubject
}

// skipReason names a skipped event for the ErrIgnored message.
func skipReason(typ string, head eventHead) string {
	name, _ := head.PropertyName.(string)
	switch {
	case typ == EventTicketPropertyChange && name != "":
		return typ + "(" + truncate(name, 40) + ")"
	case strings.HasPrefix(typ, "object."):
		id, _ := head.ObjectTypeID.(string)
		return typ + "(" + truncate(id, 20) + ")"
	}
	return truncate(typ, 60)
}

// summarize lists skipped event types, at most 5, sorted.
func summarize(skipped map[string]int) string {
	keys := make([]string, 0, len(skipped))
	for k := range skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, 6)
	for i, k := range keys {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more types", len(keys)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", k, skipped[k]))
	}
	return "skipped " + strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// draft is a record under construction: the subject and content of the
// ticket as far as the events tell, and the text properties they changed.
type draft struct {
	rec              feedback.Record
	subject, content string
	props            []string
}

// draft builds the draft of one handled event.
func (d *decoder) draft(req connectors.Request, i int, ev event) (draft, error) {
	objectID := strings.TrimSpace(ev.ObjectID.String())
	if objectID == "" {
		return draft{}, connectors.Malformedf("event %d (%s): objectId missing", i, truncate(ev.SubscriptionType, 60))
	}
	if ev.EventID == "" {
		return draft{}, connectors.Malformedf("event %d (%s): eventId missing", i, truncate(ev.SubscriptionType, 60))
	}
	if ev.OccurredAt <= 0 {
		return draft{}, connectors.Malformedf("event %d (%s): occurredAt missing", i, truncate(ev.SubscriptionType, 60))
	}
	if ev.OccurredAt > wire.MaxUnixMillis {
		return draft{}, connectors.Malformedf("event %d (%s): occurredAt %d is after year 9999", i, truncate(ev.SubscriptionType, 60), int64(ev.OccurredAt))
	}
	rec := feedback.New(d.name, feedback.KindTicket, "ticket:"+objectID)
	rec.EventID = ev.EventID.String()
	rec.Version = int64(ev.OccurredAt)
	rec.OccurredAt = time.UnixMilli(int64(ev.OccurredAt)).UTC()
	rec.ReceivedAt = req.ReceivedAt
	wire.SetAttr(&rec, "portal_id", ev.PortalID.String())
	wire.SetAttr(&rec, "app_id", ev.AppID.String())
	wire.SetAttr(&rec, "subscription_type", ev.SubscriptionType)
	wire.SetAttr(&rec, "object_id", objectID)
	wire.SetAttr(&rec, "change_source", strings.ToLower(strings.TrimSpace(ev.ChangeSource)))
	dr := draft{rec: rec}
	if ev.PropertyName == propSubject || ev.PropertyName == propContent {
		dr.props = []string{ev.PropertyName}
		if ev.PropertyValue != nil {
			v := strings.TrimSpace(*ev.PropertyValue)
			if ev.PropertyName == propSubject {
				dr.subject = v
			} else {
				dr.content = v
			}
		}
	}
	return dr, nil
}

// merge folds o into dr: two events about one ticket at the same instant
// (a ticket created with a subject and a content) become one record. The
// first event's id and attributes win.
func (dr *draft) merge(o draft) {
	if dr.subject == "" {
		dr.subject = o.subject
	}
	if dr.content == "" {
		dr.content = o.content
	}
	for _, p := range o.props {
		if !slices.Contains(dr.props, p) {
			dr.props = append(dr.props, p)
		}
	}
	for k, v := range o.rec.Attributes {
		if _, ok := dr.rec.Attributes[k]; !ok {
			wire.SetAttr(&dr.rec, k, v)
		}
	}
}

// record finishes the draft: text is subject and content joined by a
// newline; answers are filled only when both are present.
func (dr draft) record() feedback.Record {
	rec := dr.rec
	rec.Text = wire.JoinText(dr.subject, dr.content)
	if dr.subject != "" && dr.content != "" {
		rec.Answers = []feedback.Answer{{Field: propSubject, Text: dr.subject}, {Field: propContent, Text: dr.content}}
	}
	props := slices.Clone(dr.props)
	sort.Strings(props)
	wire.SetAttr(&rec, "property_name", strings.Join(props, ","))
	return rec
}
