package surveymonkey

import (
	"context"
	"encoding/json"
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
const Type = "surveymonkey"

// Event types decoded.
const (
	EventResponseCompleted = "response_completed"
	EventResponseUpdated   = "response_updated"
)

// DefaultBaseURL is the SurveyMonkey API used when api.base_url is empty.
// Accounts in the EU or Canada data centers set api.base_url
// (https://api.eu.surveymonkey.com, https://api.surveymonkey.ca).
const DefaultBaseURL = "https://api.surveymonkey.com"

// Options this connector reads from SourceConfig.Options.
const (
	// OptionNotFoundGrace is how long after the event a 404 from the API
	// still counts as "not there yet" (retry) rather than "deleted"
	// (ignore). A Go duration; default DefaultNotFoundGrace.
	OptionNotFoundGrace = wire.OptionNotFoundGrace
)

// DefaultNotFoundGrace is the default of OptionNotFoundGrace.
const DefaultNotFoundGrace = 10 * time.Minute

// Survey details cache bounds.
const (
	surveyCacheSize = 256
	surveyCacheTTL  = 10 * time.Minute
)

// NewFactory returns the SurveyMonkey connector factory.
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
	baseURL string
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
		return nil, fmt.Errorf("surveymonkey: %w", err)
	}
	base, err := vendorapi.BaseURL(cfg.API.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("surveymonkey: sources.%s.api.base_url %q: %w", name, cfg.API.BaseURL, err)
	}
	if base == "" {
		base = DefaultBaseURL
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
			Auth: func(h http.Header) { h.Set("Authorization", "Bearer "+token) },
		}),
		surveys: vendorapi.NewCache[*survey](surveyCacheSize, surveyCacheTTL, set.Clock()),
	}, nil
}

// event is a SurveyMonkey webhook callback.
type event struct {
	Name          string    `json:"name"`
	FilterType    string    `json:"filter_type"`
	FilterID      wire.ID   `json:"filter_id"`
	EventType     string    `json:"event_type"`
	EventID       wire.ID   `json:"event_id"`
	ObjectType    string    `json:"object_type"`
	ObjectID      wire.ID   `json:"object_id"`
	EventDatetime wire.Time `json:"event_datetime"`
	Resources     struct {
		RespondentID wire.ID `json:"respondent_id"`
		RecipientID  wire.ID `json:"recipient_id"`
		CollectorID  wire.ID `json:"collector_id"`
		SurveyID     wire.ID `json:"survey_id"`
	} `json:"resources"`
}

// Decode turns one response event into one survey record holding the ids;
// Enrich completes it.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	rec, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("surveymonkey: decode: %w", err)
	}
	return []feedback.Record{rec}, nil
}

func (d *decoder) decode(req connectors.Request) (feedback.Record, error) {
	// The event type first, so other events are ignored whatever their shape.
	var head struct {
		EventType string `json:"event_type"`
	}
	if err := connectors.DecodeJSON(req, &head); err != nil {
		return feedback.Record{}, err
	}
	switch head.EventType {
	case EventResponseCompleted, EventResponseUpdated:
	case "":
		return feedback.Record{}, connectors.Malformedf("event_type missing")
	default:
		return feedback.Record{}, fmt.Errorf("%w: event type %q", connectors.ErrIgnored, head.EventType)
	}
	var ev event
	if err := json.Unmarshal(req.Body, &ev); err != nil {
		return feedback.Record{}, connectors.Malformedf("invalid JSON: %v", err)
	}
	if ev.ObjectType != "" && ev.ObjectType != "response" {
		return feedback.Record{}, connectors.Malformedf("object_type %q, want response", ev.ObjectType)
	}
	responseID := ev.ObjectID.String()
	if err := checkID("object_id", responseID); err != nil {
		return feedback.Record{}, err
	}
	surveyID := ev.Resources.SurveyID.String()
	if surveyID == "" && ev.FilterType == "survey" {
		surveyID = ev.FilterID.String()
	}
	if err := checkID("resources.survey_id", surveyID); err != nil {
		return feedback.Record{}, err
	}

	rec := feedback.New(d.name, feedback.KindSurvey, responseID)
	if id := ev.EventID.String(); id != "" {
		rec.EventID = id
	}
	rec.ReceivedAt = req.ReceivedAt
	rec.OccurredAt = req.ReceivedAt
	at, ok, err := wire.Instant(ev.EventDatetime.Time)
	if err != nil {
		return feedback.Record{}, connectors.Malformedf("event_datetime: %v", err)
	}
	if ok {
		rec.OccurredAt = at
		// Later events about the response get higher versions; Enrich
		// replaces this with the response's date_modified.
		rec.Version = max(at.Unix(), 1)
	}

	wire.SetAttr(&rec, "survey_id", surveyID)
	wire.SetAttr(&rec, "response_id", responseID)
	wire.SetAttr(&rec, "collector_id", ev.Resources.CollectorID.String())
	wire.SetAttr(&rec, "respondent_id", ev.Resources.RespondentID.String())
	// "0" is SurveyMonkey's "no recipient" (not an email collector).
	wire.SetAttr(&rec, "recipient_id", ev.Resources.RecipientID.NonZero())
	wire.SetAttr(&rec, "event_type", ev.EventType)
	return rec, nil
}

// checkID requires an id that can go into an API path as is.
func checkID(field, id string) error {
	if err := vendorapi.CheckPathID(id); err != nil {
		return connectors.Malformedf("%s %v", field, err)
	}
	return nil
}
