package qualtrics

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "qualtrics"

// ContentType is the media type Qualtrics delivers events with.
const ContentType = "application/x-www-form-urlencoded"

// TopicCompletedResponse is the topic decoded, followed by ".<SurveyID>"
// and optionally preceded by "<brand>.".
const TopicCompletedResponse = "surveyengine.completedResponse"

// Form fields of a delivery.
const (
	FieldTopic = "Topic"
	FieldMSG   = "MSG"
	FieldHMAC  = "HMAC"
)

// Options this connector reads from SourceConfig.Options.
const (
	// OptionNotFoundGrace is how long after CompletedDate a 404 from the
	// API still counts as "not there yet" (retry) rather than "deleted"
	// (ignore). A Go duration; default DefaultNotFoundGrace.
	OptionNotFoundGrace = wire.OptionNotFoundGrace
)

// DefaultNotFoundGrace is the default of OptionNotFoundGrace.
const DefaultNotFoundGrace = 10 * time.Minute

// Survey cache bounds.
const (
	surveyCacheSize = 256
	surveyCacheTTL  = 10 * time.Minute
)

// completedLayout is CompletedDate's format ("2025-03-02 10:01:12").
const completedLayout = "2006-01-02 15:04:05"

// NewFactory returns the Qualtrics connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindSurvey, New: newDecoder}
}

type decoder struct {
	name  string
	keys  [][]byte
	now   func() time.Time
	grace time.Duration

	// enrichment
	token   string
	baseURL string // "" until configured; Enrich fails then
	api     *vendorapi.Client
	surveys *vendorapi.Cache[*survey]
}

var (
	_ connectors.Decoder  = (*decoder)(nil)
	_ connectors.Verifier = (*decoder)(nil)
	_ connectors.Signer   = (*decoder)(nil)
	_ connectors.Enricher = (*decoder)(nil)
)

func newDecoder(cfg connectors.SourceConfig, set connectors.Settings) (connectors.Decoder, error) {
	name := wire.SourceName(set, Type)
	grace, err := wire.ParseNotFoundGrace(cfg.Options, DefaultNotFoundGrace)
	if err != nil {
		return nil, fmt.Errorf("qualtrics: %w", err)
	}
	base, err := vendorapi.BaseURL(cfg.API.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("qualtrics: sources.%s.api.base_url %q: %w (want https://<datacenter>.qualtrics.com)", name, cfg.API.BaseURL, err)
	}
	token := strings.TrimSpace(cfg.API.Token)
	return &decoder{
		name:    name,
		keys:    sig.Keys(cfg.Secrets),
		now:     set.Clock(),
		grace:   grace,
		token:   token,
		baseURL: base,
		api: vendorapi.New(cfg.API, set, vendorapi.Options{
			Auth: func(h http.Header) { h.Set("X-API-TOKEN", token) },
		}),
		surveys: vendorapi.NewCache[*survey](surveyCacheSize, surveyCacheTTL, set.Clock()),
	}, nil
}

// message is the JSON in the MSG field.
type message struct {
	Status         string  `json:"Status"`
	SurveyID       wire.ID `json:"SurveyID"`
	ResponseID     wire.ID `json:"ResponseID"`
	RecipientID    wire.ID `json:"RecipientID"`
	DistributionID wire.ID `json:"DistributionID"`
	CompletedDate  string  `json:"CompletedDate"`
	BrandID        wire.ID `json:"BrandID"`
}

// Decode turns one completedResponse delivery into one survey record
// holding the ids; Enrich completes it.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("qualtrics: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	vals, err := connectors.DecodeForm(req)
	if err != nil {
		return feedback.Record{}, err
	}
	for _, f := range []string{FieldTopic, FieldMSG, FieldHMAC} {
		if n := len(vals[f]); n > 1 {
			return feedback.Record{}, connectors.Malformedf("form field %s given %d times", f, n)
		}
	}
	topic := strings.TrimSpace(vals.Get(FieldTopic))
	if topic == "" {
		return feedback.Record{}, connectors.Malformedf("form field %s missing", FieldTopic)
	}
	topicSurvey, ok := completedTopic(topic)
	if !ok {
		return feedback.Record{}, fmt.Errorf("%w: topic %q", connectors.ErrIgnored, topic)
	}
	raw := vals.Get(FieldMSG)
	if strings.TrimSpace(raw) == "" {
		return feedback.Record{}, connectors.Malformedf("form field %s missing", FieldMSG)
	}
	var msg message
	if err := connectors.DecodeJSON(connectors.Request{ContentType: "application/json", Body: []byte(raw)}, &msg); err != nil {
		return feedback.Record{}, fmt.Errorf("%s: %w", FieldMSG, err)
	}

	surveyID := msg.SurveyID.String()
	switch {
	case surveyID == "":
		surveyID = topicSurvey
	case topicSurvey != "" && !strings.Contains(topicSurvey, "*") && topicSurvey != surveyID:
		// The topic is not covered by the HMAC; MSG is.
		return feedback.Record{}, connectors.Malformedf("topic survey %q does not match MSG.SurveyID %q", topicSurvey, surveyID)
	}
	if err := vendorapi.CheckPathID(surveyID); err != nil {
		return feedback.Record{}, connectors.Malformedf("MSG.SurveyID %v", err)
	}
	responseID := msg.ResponseID.String()
	if err := vendorapi.CheckPathID(responseID); err != nil {
		return feedback.Record{}, connectors.Malformedf("MSG.ResponseID %v", err)
	}

	rec := feedback.New(d.name, feedback.KindSurvey, responseID) // EventID = ResponseID
	rec.ReceivedAt = req.ReceivedAt
	rec.OccurredAt = req.ReceivedAt
	if s := strings.TrimSpace(msg.CompletedDate); s != "" {
		t, err := parseCompleted(s)
		if err != nil {
			return feedback.Record{}, connectors.Malformedf("MSG.CompletedDate: %v", err)
		}
		rec.OccurredAt = t
	}

	wire.SetAttr(&rec, "survey_id", surveyID)
	wire.SetAttr(&rec, "response_id", responseID)
	wire.SetAttr(&rec, "brand_id", msg.BrandID.String())
	wire.SetAttr(&rec, "recipient_id", msg.RecipientID.String())
	wire.SetAttr(&rec, "distribution_id", msg.DistributionID.String())
	wire.SetAttr(&rec, "status", strings.ToLower(strings.TrimSpace(msg.Status)))
	return rec, nil
}

// completedTopic reports whether topic is [<brand>.]surveyengine.
// completedResponse.<SurveyID> and returns the SurveyID part ("" when the
// topic ends at the event name).
func completedTopic(topic string) (surveyID string, ok bool) {
	i := strings.Index(topic, TopicCompletedResponse)
	if i < 0 || (i > 0 && topic[i-1] != '.') {
		return "", false
	}
	rest := topic[i+len(TopicCompletedResponse):]
	if rest == "" {
		return "", true
	}
	if rest[0] != '.' {
		return "", false // e.g. surveyengine.completedResponseX
	}
	return rest[1:], true
}

// parseCompleted reads CompletedDate: "2006-01-02 15:04:05" without a zone
// is taken as UTC (UNCONFIRMED; see README); RFC 3339 is accepted too.
func parseCompleted(s string) (time.Time, error) {
	t, err := time.ParseInLocation(completedLayout, s, time.UTC)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, fmt.Errorf("%q is neither %q nor RFC 3339", s, completedLayout)
		}
	}
	u, ok, err := wire.Instant(t)
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		return time.Time{}, fmt.Errorf("%q is the zero time", s)
	}
	return u, nil
}
