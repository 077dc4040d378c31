package feedback

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
)

// SchemaVersion is the version of the record format this package writes.
const SchemaVersion = 1

// Kind says where along the journey a record was collected.
type Kind string

// Kinds of feedback.
const (
	KindSurvey Kind = "survey"
	KindReview Kind = "review"
	KindTicket Kind = "ticket"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	return k == KindSurvey || k == KindReview || k == KindTicket
}

// Role distinguishes the people who use a product from the people who buy it.
type Role string

// Customer roles.
const (
	RoleUnknown       Role = "unknown"
	RoleEndUser       Role = "end_user"
	RoleBuyer         Role = "buyer"
	RoleDecisionMaker Role = "decision_maker"
)

// ParseRole maps a free-form role string onto the closed set; anything not
// recognised is RoleUnknown.
func ParseRole(s string) Role {
	switch Role(s) {
	case RoleEndUser, RoleBuyer, RoleDecisionMaker:
		return Role(s)
	}
	switch s {
	case "user", "enduser", "end-user":
		return RoleEndUser
	case "decision-maker", "decisionmaker", "executive":
		return RoleDecisionMaker
	case "purchaser", "procurement":
		return RoleBuyer
	}
	return RoleUnknown
}

// Customer identifies who gave the feedback.
type Customer struct {
	ID        string `json:"id,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	Role      Role   `json:"role"`
}

// Record is one piece of normalized, tagged feedback (record v1).
type Record struct {
	SchemaVersion int               `json:"schema_version"`
	ID            string            `json:"id"`
	Version       int64             `json:"version"`
	Source        string            `json:"source"`
	Kind          Kind              `json:"kind"`
	EventID       string            `json:"event_id"`
	OccurredAt    time.Time         `json:"occurred_at"`
	ReceivedAt    time.Time         `json:"received_at"`
	Customer      Customer          `json:"customer"`
	Touchpoint    string            `json:"touchpoint,omitempty"`
	Team          string            `json:"team,omitempty"`
	Location      string            `json:"location,omitempty"`
	Agent         string            `json:"agent,omitempty"`
	Score         *Score            `json:"score,omitempty"`
	Text          string            `json:"text"`
	Answers       []Answer          `json:"answers,omitempty"`
	Language      string            `json:"language,omitempty"`
	Themes        []Theme           `json:"themes"`
	Sentiment     *Sentiment        `json:"sentiment,omitempty"`
	PII           map[string]int    `json:"pii"`
	Phrases       []string          `json:"phrases,omitempty"`
	Attributes    map[string]string `json:"attributes,omitempty"`
}

// Answer is one free-text answer of a multi-question survey, with the
// question it answered. Record.Text joins the answers' texts.
type Answer struct {
	Field    string `json:"field,omitempty"`
	Question string `json:"question,omitempty"`
	Text     string `json:"text"`
}

// NewID derives the deterministic record id from the source name and the
// vendor's event or response id.
func NewID(source, externalID string) string {
	h := sha256.New()
	h.Write([]byte(source))
	h.Write([]byte{0})
	h.Write([]byte(externalID))
	var sum [sha256.Size]byte
	return "fb_" + hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// Key is the Kafka record key: customer id, else account id, else record id.
func (r *Record) Key() string {
	switch {
	case r.Customer.ID != "":
		return r.Customer.ID
	case r.Customer.AccountID != "":
		return r.Customer.AccountID
	}
	return r.ID
}

// Apply copies an analysis of the record's text onto the record.
func (r *Record) Apply(a Analysis) {
	r.Text = a.Text
	r.Language = a.Language
	r.Themes = a.Themes
	if r.Themes == nil {
		r.Themes = []Theme{}
	}
	r.Sentiment = a.Sentiment
	r.PII = a.PII
	if r.PII == nil {
		r.PII = map[string]int{}
	}
	r.Phrases = a.Phrases
}

// Validate reports every way r breaks the record v1 contract.
func (r *Record) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.SchemaVersion != SchemaVersion {
		bad("schema_version: got %d, want %d", r.SchemaVersion, SchemaVersion)
	}
	if r.ID == "" {
		bad("id: empty")
	}
	if r.Version < 1 {
		bad("version: %d, must be >= 1", r.Version)
	}
	if r.Source == "" {
		bad("source: empty")
	}
	if !r.Kind.Valid() {
		bad("kind: %q is not survey, review or ticket", r.Kind)
	}
	if r.EventID == "" {
		bad("event_id: empty")
	}
	if r.OccurredAt.IsZero() {
		bad("occurred_at: zero")
	} else if err := checkRFC3339(r.OccurredAt); err != nil {
		bad("occurred_at: %v", err)
	}
	if r.ReceivedAt.IsZero() {
		bad("received_at: zero")
	} else if err := checkRFC3339(r.ReceivedAt); err != nil {
		bad("received_at: %v", err)
	}
	switch r.Customer.Role {
	case RoleUnknown, RoleEndUser, RoleBuyer, RoleDecisionMaker:
	default:
		bad("customer.role: %q is not a known role", r.Customer.Role)
	}
	if r.Score != nil {
		if err := r.Score.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("score: %w", err))
		}
	}
	for i, t := range r.Themes {
		if t.ID == "" {
			bad("themes[%d].id: empty", i)
		}
		if t.Confidence < 0 || t.Confidence > 1 || math.IsNaN(t.Confidence) {
			bad("themes[%d].confidence: %v outside 0..1", i, t.Confidence)
		}
		if t.Sentiment != nil {
			if err := t.Sentiment.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("themes[%d].sentiment: %w", i, err))
			}
		}
	}
	if r.Sentiment != nil {
		if err := r.Sentiment.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("sentiment: %w", err))
		}
	}
	for k, n := range r.PII {
		if n < 0 {
			bad("pii.%s: negative count %d", k, n)
		}
	}
	return errors.Join(errs...)
}

// New starts a record for the given source, kind and vendor id (the response,
// ticket event or review id that makes the record unique). The record id is
// NewID(source, externalID); EventID defaults to externalID.
func New(source string, kind Kind, externalID string) Record {
	return Record{
		SchemaVersion: SchemaVersion,
		ID:            NewID(source, externalID),
		Version:       1,
		Source:        source,
		Kind:          kind,
		EventID:       externalID,
		Customer:      Customer{Role: RoleUnknown},
		Themes:        []Theme{},
		PII:           map[string]int{},
	}
}

// checkRFC3339 reports a time that RFC 3339, and so the record's JSON,
// cannot carry: a year outside 0..9999 or a zone offset of a day or more
// (the checks time.Time.MarshalJSON makes). A valid record always encodes.
func checkRFC3339(t time.Time) error {
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("%s is outside years 0..9999", t.Format(time.RFC3339))
	}
	if _, off := t.Zone(); off <= -24*60*60 || off >= 24*60*60 {
		return fmt.Errorf("zone offset of %ds is a day or more", off)
	}
	return nil
}
