package wire

import (
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// SetAttr sets the record attribute k to v, creating the map; an empty v
// sets nothing. v is stored as given (callers trim).
func SetAttr(rec *feedback.Record, k, v string) {
	if v == "" {
		return
	}
	if rec.Attributes == nil {
		rec.Attributes = map[string]string{}
	}
	rec.Attributes[k] = v
}

// SetField sets the record field that a free-form key (a hidden field, an
// embedded-data name, a person property) names: account_id, role,
// touchpoint, team, location or agent. It reports whether key named one;
// key must already be normalized (lower-case), val trimmed and non-empty.
// A role is parsed lower-cased. Customer ids are left to the caller: which
// keys carry them, and which one wins, differs by vendor.
func SetField(rec *feedback.Record, key, val string) bool {
	switch key {
	case "account_id":
		rec.Customer.AccountID = val
	case "role":
		rec.Customer.Role = feedback.ParseRole(strings.ToLower(val))
	case "touchpoint":
		rec.Touchpoint = val
	case "team":
		rec.Team = val
	case "location":
		rec.Location = val
	case "agent":
		rec.Agent = val
	default:
		return false
	}
	return true
}

// TagCommas says what ApplyTags does with a comma inside a tag, which would
// otherwise split the tag in two when the comma-joined `tags` attribute is
// read back.
type TagCommas bool

// The TagCommas values.
const (
	// KeepCommas keeps the tag as sent (vendors whose tags cannot hold a
	// comma: Zendesk, Freshdesk).
	KeepCommas TagCommas = false
	// CommasToSpaces turns each comma into a space.
	CommasToSpaces TagCommas = true
)

// ApplyTags copies the trimmed, non-blank tags to the comma-joined `tags`
// attribute (commas inside a tag handled as commas says) and maps
// touchpoint:<x>, team:<x> and location:<x> tags onto the record fields
// still empty (the first such tag wins). The mapped value is the tag's own
// text after the first colon, commas included.
func ApplyTags(rec *feedback.Record, tags []string, commas TagCommas) {
	kept := make([]string, 0, len(tags))
	for _, tag := range tags {
		tag = strings.TrimSpace(tag)
		if tag == "" {
			continue
		}
		if commas == CommasToSpaces {
			kept = append(kept, strings.ReplaceAll(tag, ",", " "))
		} else {
			kept = append(kept, tag)
		}
		k, v, ok := strings.Cut(tag, ":")
		if !ok || v == "" {
			continue
		}
		switch k {
		case "touchpoint":
			if rec.Touchpoint == "" {
				rec.Touchpoint = v
			}
		case "team":
			if rec.Team == "" {
				rec.Team = v
			}
		case "location":
			if rec.Location == "" {
				rec.Location = v
			}
		}
	}
	SetAttr(rec, "tags", strings.Join(kept, ","))
}

// JoinList comma-joins the items, each with its commas turned into spaces
// and then trimmed; blank items are dropped. The result splits back on ","
// into the items.
func JoinList(items []string) string {
	kept := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(strings.ReplaceAll(it, ",", " ")); it != "" {
			kept = append(kept, it)
		}
	}
	return strings.Join(kept, ",")
}

// FieldInstant is Instant for the payload field named field: t in UTC, the
// zero time when t is absent, and ErrMalformed naming field when t lies
// outside the years 1..9999.
func FieldInstant(field string, t time.Time) (time.Time, error) {
	u, _, err := Instant(t)
	if err != nil {
		return time.Time{}, connectors.Malformedf("%s: %v", field, err)
	}
	return u, nil
}

// Stamp is a vendor timestamp and the payload field it came from, for
// FirstInstant.
type Stamp struct {
	Field string    // named in errors
	Time  time.Time // zero when absent
}

// FirstInstant returns, in UTC, the first of stamps that is set, and
// ok=false when none is. A stamp outside the years 1..9999 met before it
// is ErrMalformed naming its field.
func FirstInstant(stamps ...Stamp) (t time.Time, ok bool, err error) {
	for _, s := range stamps {
		u, err := FieldInstant(s.Field, s.Time)
		if err != nil {
			return time.Time{}, false, err
		}
		if !u.IsZero() {
			return u, true, nil
		}
	}
	return time.Time{}, false, nil
}

// FirstTime returns the first of ts that is not zero, in UTC, or the zero
// time.
func FirstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Time{}
}
