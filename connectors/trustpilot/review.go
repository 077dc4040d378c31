package trustpilot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// review holds the fields the reviews API and the webhook's eventData
// share, plus those only one of them sends. consumer.displayName and
// consumer.name are personal and deliberately not decoded. Times are RFC
// 3339 as the API sends them, or the form without a zone that Trustpilot's
// documentation samples show ("2013-09-07T13:37:00"), read as UTC.
type review struct {
	ID         string              `json:"id"`
	Stars      *float64            `json:"stars"`
	Title      string              `json:"title"`
	Text       string              `json:"text"`
	Language   string              `json:"language"`
	CreatedAt  wire.TimeOrZoneless `json:"createdAt"`
	UpdatedAt  wire.TimeOrZoneless `json:"updatedAt"`
	IsVerified *bool               `json:"isVerified"`
	Consumer   *struct {
		ID string `json:"id"`
	} `json:"consumer"`

	// Reviews API.
	CompanyReply *struct {
		Text string `json:"text"`
	} `json:"companyReply"`
	Location *struct {
		ID string `json:"id"`
	} `json:"location"`

	// Webhook eventData.
	ReferenceID string `json:"referenceId"`
	LocationID  string `json:"locationId"`
}

// record builds the record of r for source. When r has no updatedAt,
// fallbackVersion (if non-zero) is the version instead of createdAt.
func (r *review) record(source string, received time.Time, fallbackVersion int64) (feedback.Record, error) {
	id := strings.TrimSpace(r.ID)
	if err := vendorapi.CheckReviewID(id); err != nil {
		return feedback.Record{}, fmt.Errorf("id: %v", err)
	}
	created, cok, cerr := wire.Instant(r.CreatedAt.Time)
	updated, uok, uerr := wire.Instant(r.UpdatedAt.Time)
	if cerr != nil || uerr != nil {
		return feedback.Record{}, fmt.Errorf("review %s: createdAt or updatedAt out of range", id)
	}
	if !cok || created.Unix() <= 0 {
		return feedback.Record{}, fmt.Errorf("review %s: createdAt missing", id)
	}
	version := created.Unix()
	switch {
	case uok && updated.Unix() > version:
		version = updated.Unix()
	case !uok && fallbackVersion > 0:
		version = fallbackVersion
	}
	rec := vendorapi.NewReview(source, id, version, created, received)
	if r.Stars != nil {
		s, err := feedback.NewScore(feedback.ScoreRating, *r.Stars, 1, 5)
		if err != nil {
			return feedback.Record{}, fmt.Errorf("review %s: stars: %v", id, err)
		}
		rec.Score = s
	}
	rec.Text = wire.JoinText(r.Title, r.Text)
	if r.Consumer != nil && vendorapi.CheckReviewID(strings.TrimSpace(r.Consumer.ID)) == nil {
		rec.Customer.ID = strings.TrimSpace(r.Consumer.ID)
	}
	rec.Attributes = map[string]string{}
	setAttr(&rec, "language", r.Language)
	if r.IsVerified != nil {
		rec.Attributes["verified"] = strconv.FormatBool(*r.IsVerified)
	}
	setAttr(&rec, "reference_id", r.ReferenceID)
	setAttr(&rec, "location_id", r.LocationID)
	if r.Location != nil {
		setAttr(&rec, "location_id", r.Location.ID)
	}
	return rec, nil
}

func setAttr(rec *feedback.Record, k, v string) {
	if v = strings.TrimSpace(v); v != "" {
		rec.Attributes[k] = v
	}
}
