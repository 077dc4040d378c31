package connectors

import (
	"context"
	"net/http"
	"time"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// Enricher fetches from the vendor's API what a webhook only points to
// (SurveyMonkey and Qualtrics send ids, not answers). It is the one place a
// connector does I/O, and it runs after Verify and Decode, outside the
// decoder. Enrich returns the completed records, or an error wrapping
// ErrUpstream (the gateway answers 503 so the vendor retries, and keeps the
// raw request in the dead-letter topic with reason enrichment_failed),
// ErrIgnored (the response was deleted or is not complete: 202, no record)
// or ErrMalformed (the records lack the ids the API needs).
type Enricher interface {
	Enrich(ctx context.Context, recs []feedback.Record) ([]feedback.Record, error)
}

// Handshaker answers a vendor's endpoint check (Front's challenge) instead
// of decoding. It returns ok=false for ordinary requests. A Handshaker
// verifies the request itself when the vendor signs the check.
type Handshaker interface {
	Handshake(req Request) (resp Response, ok bool, err error)
}

// Response is a handshake answer.
type Response struct {
	Status      int
	ContentType string
	Header      http.Header
	Body        []byte
}

// EnrichConfig configures calls to a vendor API.
type EnrichConfig struct {
	// Token authenticates to the vendor API. Also CORRIDOR_API_TOKEN_<SOURCE>.
	// Default: none.
	Token string `yaml:"token"`
	// BaseURL overrides the vendor API's address (tests, proxies, data
	// centers). Default: the vendor's public API.
	BaseURL string `yaml:"base_url"`
	// Timeout bounds one API call. Default: 5s.
	Timeout time.Duration `yaml:"timeout"`
	// Attempts is how many times a failed call is tried in all, with
	// exponential backoff and jitter between tries. Default: 3.
	Attempts int `yaml:"attempts"`
}

// WithDefaults returns c with zero fields set to their defaults.
func (c EnrichConfig) WithDefaults() EnrichConfig {
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Attempts == 0 {
		c.Attempts = 3
	}
	return c
}

// CallObserver records the outcome of each vendor API call; the gateway
// backs it with corridor_enrich_calls_total{source,outcome} and
// corridor_enrich_call_duration_seconds{source}. Outcomes are a closed set:
// OutcomeOK, OutcomeRetried, OutcomeFailed, OutcomeNotFound.
type CallObserver interface {
	ObserveCall(outcome string, d time.Duration)
}

// Vendor API call outcomes.
const (
	OutcomeOK       = "ok"
	OutcomeRetried  = "retried"
	OutcomeFailed   = "failed"
	OutcomeNotFound = "not_found"
)

type nopObserver struct{}

func (nopObserver) ObserveCall(string, time.Duration) {}

// Observer returns s.Calls, or an observer that records nothing.
func (s Settings) Observer() CallObserver {
	if s.Calls != nil {
		return s.Calls
	}
	return nopObserver{}
}

// HTTP returns s.HTTPClient or http.DefaultClient.
func (s Settings) HTTP() *http.Client {
	if s.HTTPClient != nil {
		return s.HTTPClient
	}
	return http.DefaultClient
}
