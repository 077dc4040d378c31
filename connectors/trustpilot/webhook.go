package trustpilot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Webhook event names.
const (
	EventServiceReviewCreated = "service-review-created"
	EventServiceReviewUpdated = "service-review-updated"
	EventServiceReviewDeleted = "service-review-deleted"
)

// maxEvents bounds the events of one delivery.
const maxEvents = 1000

// NewFactory returns the Trustpilot webhook decoder factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindReview, New: newDecoder}
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
	if len(cfg.Options) > 0 {
		keys := make([]string, 0, len(cfg.Options))
		for k := range cfg.Options {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("trustpilot: options %s: trustpilot takes no options", strings.Join(keys, ", "))
	}
	name := set.Name
	if name == "" {
		name = Type
	}
	return &decoder{name: name, secrets: append([]string(nil), cfg.Secrets...)}, nil
}

type payload struct {
	Events *[]struct {
		EventName string  `json:"eventName"`
		Version   string  `json:"version"`
		EventData *review `json:"eventData"`
	} `json:"events"`
}

// Decode turns the review events of one delivery into records.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	recs, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("trustpilot: decode: %w", err)
	}
	return recs, nil
}

func (d *decoder) decode(req connectors.Request) ([]feedback.Record, error) {
	var p payload
	if err := connectors.DecodeJSON(req, &p); err != nil {
		return nil, err
	}
	if p.Events == nil || len(*p.Events) == 0 {
		return nil, connectors.Malformedf("events missing or empty")
	}
	if len(*p.Events) > maxEvents {
		return nil, fmt.Errorf("%w: %d events, at most %d", connectors.ErrTooLarge, len(*p.Events), maxEvents)
	}
	var (
		recs    []feedback.Record
		ignored []string
	)
	for i, ev := range *p.Events {
		var fallback int64
		switch ev.EventName {
		case EventServiceReviewCreated:
		case EventServiceReviewUpdated:
			// Without updatedAt, the receive time orders the update after
			// the creation.
			fallback = req.ReceivedAt.Unix()
		case "":
			return nil, connectors.Malformedf("events[%d].eventName missing", i)
		default:
			ignored = append(ignored, ev.EventName)
			continue
		}
		if ev.EventData == nil {
			return nil, connectors.Malformedf("events[%d] (%s): eventData missing", i, ev.EventName)
		}
		rec, err := ev.EventData.record(d.name, req.ReceivedAt, fallback)
		if err != nil {
			return nil, connectors.Malformedf("events[%d] (%s): %v", i, ev.EventName, err)
		}
		rec.Attributes["event"] = ev.EventName
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: event types %s", connectors.ErrIgnored, strings.Join(dedupe(ignored), ", "))
	}
	return recs, nil
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

var errNoSecret = errors.New("no secret configured")
