package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
const Type = "jira"

// Webhook events decoded.
const (
	EventIssueCreated   = "jira:issue_created"
	EventIssueUpdated   = "jira:issue_updated"
	EventCommentCreated = "comment_created"
	EventCommentUpdated = "comment_updated"
)

// IdentifierHeader carries the delivery id, unchanged across retries.
const IdentifierHeader = "X-Atlassian-Webhook-Identifier"

// Bounds on the custom-field attributes copied from an issue.
const (
	maxCustomFields   = 20
	maxCustomValueLen = 200
)

// NewFactory returns the Jira connector factory.
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

// payload is the webhook body. issue and comment are parsed only for the
// events we handle, so other events are ignored whatever their shape.
type payload struct {
	Timestamp    wire.Millis     `json:"timestamp"`
	WebhookEvent string          `json:"webhookEvent"`
	Issue        json.RawMessage `json:"issue"`
	Comment      json.RawMessage `json:"comment"`
	Changelog    json.RawMessage `json:"changelog"`
}

type issue struct {
	ID     wire.ID                    `json:"id"`
	Key    string                     `json:"key"`
	Fields map[string]json.RawMessage `json:"fields"`
}

type user struct {
	AccountID   string `json:"accountId"`
	AccountType string `json:"accountType"`
	// emailAddress and displayName are deliberately not decoded (PII).
}

type named struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// ProjectTypeKey is set on projects: software, service_desk, business, …
	ProjectTypeKey string `json:"projectTypeKey"`
}

// projectTypeServiceDesk is the projectTypeKey of a Jira Service
// Management project.
const projectTypeServiceDesk = "service_desk"

type comment struct {
	ID        wire.ID         `json:"id"`
	Body      json.RawMessage `json:"body"`
	Author    *user           `json:"author"`
	Created   jiraTime        `json:"created"`
	Updated   jiraTime        `json:"updated"`
	JSDPublic *bool           `json:"jsdPublic"`
}

type changelog struct {
	Items []struct {
		Field   string `json:"field"`
		FieldID string `json:"fieldId"`
	} `json:"items"`
}

// Decode turns one webhook into one ticket record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("jira: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	var p payload
	if err := connectors.DecodeJSON(req, &p); err != nil {
		return feedback.Record{}, err
	}
	switch p.WebhookEvent {
	case EventIssueCreated, EventIssueUpdated, EventCommentCreated, EventCommentUpdated:
	case "":
		return feedback.Record{}, connectors.Malformedf("webhookEvent missing")
	default:
		return feedback.Record{}, fmt.Errorf("%w: webhook event %q", connectors.ErrIgnored, p.WebhookEvent)
	}
	if p.Timestamp > wire.MaxUnixMillis {
		return feedback.Record{}, connectors.Malformedf("timestamp %d is after year 9999", int64(p.Timestamp))
	}
	var is issue
	if err := wire.UnmarshalOptional(p.Issue, &is); err != nil {
		return feedback.Record{}, connectors.Malformedf("issue: %v", err)
	}
	f, err := parseFields(is.Fields)
	if err != nil {
		return feedback.Record{}, err
	}
	if p.WebhookEvent == EventCommentCreated || p.WebhookEvent == EventCommentUpdated {
		return d.comment(req, p, is, f)
	}
	return d.issue(req, p, is, f)
}

func (d *decoder) issue(req connectors.Request, p payload, is issue, f fields) (feedback.Record, error) {
	if len(p.Issue) == 0 || string(p.Issue) == "null" {
		return feedback.Record{}, connectors.Malformedf("issue missing")
	}
	id := strings.TrimSpace(is.ID.String())
	if id == "" {
		return feedback.Record{}, connectors.Malformedf("issue.id missing")
	}
	if p.WebhookEvent == EventIssueUpdated {
		var cl changelog
		if err := wire.UnmarshalOptional(p.Changelog, &cl); err != nil {
			return feedback.Record{}, connectors.Malformedf("changelog: %v", err)
		}
		if !textChanged(cl) {
			return feedback.Record{}, fmt.Errorf("%w: %s: neither summary nor description changed", connectors.ErrIgnored, p.WebhookEvent)
		}
	}
	ext := "issue:" + id
	rec := feedback.New(d.name, feedback.KindTicket, ext)
	rec.ReceivedAt = req.ReceivedAt
	fallback := f.created.Time
	if p.WebhookEvent == EventIssueUpdated {
		fallback = f.updated.Time
	}
	if err := stamp(&rec, req, p, ext, fallback, p.WebhookEvent == EventIssueUpdated); err != nil {
		return feedback.Record{}, err
	}
	rec.Text = wire.JoinText(f.summary, f.description)
	if rec.Text == "" {
		return feedback.Record{}, fmt.Errorf("%w: %s: issue without summary or description", connectors.ErrIgnored, p.WebhookEvent)
	}
	if f.summary != "" && f.description != "" {
		rec.Answers = []feedback.Answer{{Field: "summary", Text: f.summary}, {Field: "description", Text: f.description}}
	}
	rec.Customer.ID = f.reporter.AccountID
	rec.Agent = f.assignee
	applyIssue(&rec, is, f)
	return rec, nil
}

func (d *decoder) comment(req connectors.Request, p payload, is issue, f fields) (feedback.Record, error) {
	if len(p.Comment) == 0 || string(p.Comment) == "null" {
		return feedback.Record{}, connectors.Malformedf("comment missing")
	}
	var c comment
	if err := json.Unmarshal(p.Comment, &c); err != nil {
		return feedback.Record{}, connectors.Malformedf("comment: %v", err)
	}
	id := strings.TrimSpace(c.ID.String())
	if id == "" {
		return feedback.Record{}, connectors.Malformedf("comment.id missing")
	}
	var author user
	if c.Author != nil {
		author = user{AccountID: strings.TrimSpace(c.Author.AccountID), AccountType: strings.TrimSpace(c.Author.AccountType)}
	}
	customer := strings.EqualFold(author.AccountType, "customer")
	switch {
	case c.JSDPublic != nil && !*c.JSDPublic:
		return feedback.Record{}, fmt.Errorf("%w: %s: internal comment (jsdPublic false)", connectors.ErrIgnored, p.WebhookEvent)
	case strings.EqualFold(author.AccountType, "app"):
		return feedback.Record{}, fmt.Errorf("%w: %s: comment by an app", connectors.ErrIgnored, p.WebhookEvent)
	case f.reporter.AccountID != "" && author.AccountID != "" && author.AccountID != f.reporter.AccountID && !customer:
		return feedback.Record{}, fmt.Errorf("%w: %s: comment by someone other than the reporter (an agent reply)", connectors.ErrIgnored, p.WebhookEvent)
	// Jira Cloud comment webhooks carry no reporter, so the checks below
	// use what they do carry: the assignee and the project type.
	case f.reporter.AccountID == "" && author.AccountID != "" && author.AccountID == f.assignee && !customer:
		return feedback.Record{}, fmt.Errorf("%w: %s: comment by the issue's assignee (an agent reply; no reporter in the payload)", connectors.ErrIgnored, p.WebhookEvent)
	case f.reporter.AccountID == "" && strings.EqualFold(f.projectType, projectTypeServiceDesk) && strings.EqualFold(author.AccountType, "atlassian"):
		return feedback.Record{}, fmt.Errorf("%w: %s: comment by an atlassian (licensed) account in a service desk project (an agent reply; no reporter in the payload)", connectors.ErrIgnored, p.WebhookEvent)
	}
	body, err := richText(c.Body)
	if err != nil {
		return feedback.Record{}, connectors.Malformedf("comment.body: %v", err)
	}
	if body == "" {
		return feedback.Record{}, fmt.Errorf("%w: %s: comment without text", connectors.ErrIgnored, p.WebhookEvent)
	}
	ext := "comment:" + id
	rec := feedback.New(d.name, feedback.KindTicket, ext)
	rec.ReceivedAt = req.ReceivedAt
	fallback := c.Created.Time
	if p.WebhookEvent == EventCommentUpdated {
		fallback = c.Updated.Time
	}
	if err := stamp(&rec, req, p, ext, fallback, p.WebhookEvent == EventCommentUpdated); err != nil {
		return feedback.Record{}, err
	}
	rec.Text = body
	rec.Customer.ID = f.reporter.AccountID
	if rec.Customer.ID == "" {
		rec.Customer.ID = author.AccountID
	}
	rec.Agent = f.assignee
	applyIssue(&rec, is, f)
	wire.SetAttr(&rec, "comment_id", id)
	return rec, nil
}

// stamp sets occurred_at, version and event_id. Version and occurred_at
// come from the webhook timestamp (ms), else from fallback (the object's
// created or updated time); an update needs one of them. The event id is
// the X-Atlassian-Webhook-Identifier header, else <external id>@<version>.
func stamp(rec *feedback.Record, req connectors.Request, p payload, ext string, fallback time.Time, update bool) error {
	at := time.UnixMilli(int64(p.Timestamp)).UTC()
	if p.Timestamp <= 0 {
		at = fallback
	}
	u, ok, err := wire.Instant(at)
	if err != nil {
		return connectors.Malformedf("timestamp: %v", err)
	}
	switch {
	case ok:
		rec.OccurredAt = u
		rec.Version = max(u.UnixMilli(), 1)
	case update:
		return connectors.Malformedf("timestamp missing: an update needs it to order versions")
	default:
		rec.OccurredAt = req.ReceivedAt
	}
	rec.EventID = strings.TrimSpace(req.Header.Get(IdentifierHeader))
	if rec.EventID == "" {
		rec.EventID = ext + "@" + strconv.FormatInt(rec.Version, 10)
	}
	return nil
}

func textChanged(cl changelog) bool {
	for _, it := range cl.Items {
		for _, f := range []string{it.Field, it.FieldID} {
			if strings.EqualFold(f, "summary") || strings.EqualFold(f, "description") {
				return true
			}
		}
	}
	return false
}

// fields are the issue fields we use.
type fields struct {
	summary, description string
	reporter             user
	assignee             string
	project, issueType   string
	projectType          string
	priority, status     string
	labels, components   []string
	created, updated     jiraTime
	requestType          string
	custom               map[string]string
}

func parseFields(raw map[string]json.RawMessage) (fields, error) {
	var f fields
	var err error
	get := func(name string, v any) {
		if err != nil {
			return
		}
		if b, ok := raw[name]; ok && len(b) > 0 && string(b) != "null" {
			if e := json.Unmarshal(b, v); e != nil {
				err = connectors.Malformedf("issue.fields.%s: %v", name, e)
			}
		}
	}
	var reporter, assignee *user
	var project, issueType, priority, status *named
	var components []named
	get("summary", &f.summary)
	get("reporter", &reporter)
	get("assignee", &assignee)
	get("project", &project)
	get("issuetype", &issueType)
	get("priority", &priority)
	get("status", &status)
	get("labels", &f.labels)
	get("components", &components)
	get("created", &f.created)
	get("updated", &f.updated)
	if err != nil {
		return fields{}, err
	}
	if f.description, err = richText(raw["description"]); err != nil {
		return fields{}, connectors.Malformedf("issue.fields.description: %v", err)
	}
	f.summary = strings.TrimSpace(f.summary)
	if reporter != nil {
		f.reporter = user{AccountID: strings.TrimSpace(reporter.AccountID), AccountType: reporter.AccountType}
	}
	if assignee != nil {
		f.assignee = strings.TrimSpace(assignee.AccountID)
	}
	if project != nil {
		f.project = strings.TrimSpace(project.Key)
		f.projectType = strings.TrimSpace(project.ProjectTypeKey)
	}
	if issueType != nil {
		f.issueType = strings.TrimSpace(issueType.Name)
	}
	if priority != nil {
		f.priority = strings.ToLower(strings.TrimSpace(priority.Name))
	}
	if status != nil {
		f.status = strings.ToLower(strings.TrimSpace(status.Name))
	}
	for _, c := range components {
		if n := strings.TrimSpace(c.Name); n != "" {
			f.components = append(f.components, n)
		}
	}
	f.requestType, f.custom = customFields(raw)
	return f, nil
}

// customFields returns the JSM request type (the name of the first custom
// field whose value carries requestType) and, for at most maxCustomFields
// custom fields in id order, short string values: plain strings and the
// `value` of select options. Values that look like an email address or
// exceed maxCustomValueLen are dropped, and so are values that look like
// an email address or a phone number (attributes are not redacted).
func customFields(raw map[string]json.RawMessage) (string, map[string]string) {
	ids := make([]string, 0, len(raw))
	for k := range raw {
		if strings.HasPrefix(k, "customfield_") {
			ids = append(ids, k)
		}
	}
	sort.Strings(ids)
	var requestType string
	custom := map[string]string{}
	for _, id := range ids {
		b := bytes.TrimSpace(raw[id])
		if len(b) == 0 {
			continue
		}
		var v string
		switch b[0] {
		case '"':
			if json.Unmarshal(b, &v) != nil {
				continue
			}
		case '{':
			var o struct {
				Value       *string `json:"value"`
				RequestType *named  `json:"requestType"`
			}
			if json.Unmarshal(b, &o) != nil {
				continue
			}
			if o.RequestType != nil && requestType == "" {
				requestType = strings.TrimSpace(o.RequestType.Name)
				continue
			}
			if o.Value == nil {
				continue
			}
			v = *o.Value
		default:
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" || len(v) > maxCustomValueLen || looksPersonal(v) || len(custom) >= maxCustomFields {
			continue
		}
		custom[id] = v
	}
	return requestType, custom
}

// looksPersonal reports values holding an @ (an email address or a
// handle) or made only of phone-number characters with at least 10 digits
// (7 after a leading +), so dates and short codes survive.
func looksPersonal(v string) bool {
	if strings.Contains(v, "@") {
		return true
	}
	digits := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-().", r):
		default:
			return false
		}
	}
	return digits >= 10 || (digits >= 7 && strings.HasPrefix(v, "+"))
}

func applyIssue(rec *feedback.Record, is issue, f fields) {
	wire.SetAttr(rec, "issue_id", is.ID.String())
	wire.SetAttr(rec, "issue_key", strings.TrimSpace(is.Key))
	wire.SetAttr(rec, "project_key", f.project)
	wire.SetAttr(rec, "issue_type", f.issueType)
	wire.SetAttr(rec, "priority", f.priority)
	wire.SetAttr(rec, "status", f.status)
	wire.SetAttr(rec, "request_type", f.requestType)
	wire.SetAttr(rec, "tags", wire.JoinList(f.labels))
	wire.SetAttr(rec, "components", wire.JoinList(f.components))
	for k, v := range f.custom {
		wire.SetAttr(rec, "custom."+k, v)
	}
}

// jiraTime is a Jira timestamp ("2025-03-02T10:01:12.000+0000", or RFC
// 3339); null and "" are absent.
type jiraTime struct{ time.Time }

var jiraLayouts = []string{
	"2006-01-02T15:04:05.000-0700",
	"2006-01-02T15:04:05-0700",
	time.RFC3339Nano,
}

// UnmarshalJSON parses the layouts Jira sends.
func (t *jiraTime) UnmarshalJSON(b []byte) error {
	t.Time = time.Time{}
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, l := range jiraLayouts {
		if v, err := time.Parse(l, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("timestamp %.40q is not a Jira date-time", s)
}
