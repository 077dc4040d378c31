package wire

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// OptionNotFoundGrace is the option of enriching connectors (Qualtrics,
// SurveyMonkey) that says how long after the event a 404 from the vendor
// API still counts as "not there yet" (retry) rather than "deleted"
// (ignore). A Go duration.
const OptionNotFoundGrace = "not_found_grace"

// ParseNotFoundGrace reads the options of a connector whose only option is
// OptionNotFoundGrace; def applies when it is not set. Any other option is
// an error naming them all, sorted.
func ParseNotFoundGrace(opts map[string]string, def time.Duration) (time.Duration, error) {
	grace := def
	var unknown []string
	for k, v := range opts {
		switch k {
		case OptionNotFoundGrace:
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < 0 {
				return 0, fmt.Errorf("options.%s: %q is not a non-negative duration", k, v)
			}
			grace = d
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return 0, fmt.Errorf("options %s: unknown (known: %s)", strings.Join(unknown, ", "), OptionNotFoundGrace)
	}
	return grace, nil
}

// EnrichFunc completes one record in place; ok=false (with why) drops it.
type EnrichFunc func(ctx context.Context, rec *feedback.Record) (ok bool, why string, err error)

// EnrichEach runs enrich on a copy of each record and returns those it
// keeps, in order. The first error stops it and is returned as is. When
// every record was dropped the error wraps ErrIgnored and lists why.
func EnrichEach(ctx context.Context, recs []feedback.Record, enrich EnrichFunc) ([]feedback.Record, error) {
	out := make([]feedback.Record, 0, len(recs))
	var dropped []string
	for _, rec := range recs {
		ok, why, err := enrich(ctx, &rec)
		if err != nil {
			return nil, err
		}
		if !ok {
			dropped = append(dropped, why)
			continue
		}
		out = append(out, rec)
	}
	if len(out) == 0 && len(dropped) > 0 {
		return nil, fmt.Errorf("%w: %s", connectors.ErrIgnored, strings.Join(dropped, "; "))
	}
	return out, nil
}

// NotFound judges a not-found answer from the vendor API (err; the
// caller has checked it is one) to a request about what (e.g. "response
// R_1") for a record whose event is age old, in EnrichFunc results: older
// than grace, the record is dropped ("<what> no longer exists"); younger,
// it is a retryable ErrUpstream, as the vendor may not show it yet.
func NotFound(err error, what string, age, grace time.Duration) (ok bool, why string, _ error) {
	if age > grace {
		return false, what + " no longer exists", nil
	}
	return false, "", fmt.Errorf("%w: %s not found yet, %s after the event (within %s=%s): %v",
		connectors.ErrUpstream, what, age.Round(time.Second), OptionNotFoundGrace, grace, err)
}
