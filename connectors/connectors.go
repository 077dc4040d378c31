package connectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// Request is one received webhook. Body is owned by the request: the gateway
// copies it out of the server's buffers before building a Request.
type Request struct {
	Method      string
	URI         string      // path and query as received (HubSpot signs it)
	ContentType string      // media type without parameters, lower-cased
	Header      http.Header // received headers
	Body        []byte
	ReceivedAt  time.Time
}

// Decoder turns one request into zero or more feedback records.
type Decoder interface {
	Decode(ctx context.Context, req Request) ([]feedback.Record, error)
}

// Verifier checks that a request was sent by the vendor.
type Verifier interface {
	Verify(req Request) error
}

// Signer signs a request the way the vendor does, with the first configured
// secret, setting the vendor's headers on req.Header.
type Signer interface {
	Sign(req *Request, now time.Time) error
}

// Factory builds the decoder of one vendor.
type Factory struct {
	// Type is the vendor's folder name and default route segment.
	Type string
	// Kind is the kind of feedback the vendor sends.
	Kind feedback.Kind
	// New builds a ready decoder for one configured source.
	New func(cfg SourceConfig, set Settings) (Decoder, error)
}

// Settings are values set in code, not by users.
type Settings struct {
	// Name is the configured source name; records carry it as `source`.
	Name string
	// Now is the clock used for timestamp tolerance; nil means time.Now.
	Now func() time.Time
	// HTTPClient is used by Enrichers; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Calls observes Enricher API calls; nil records nothing.
	Calls CallObserver
}

// Clock returns s.Now or time.Now.
func (s Settings) Clock() func() time.Time {
	if s.Now != nil {
		return s.Now
	}
	return time.Now
}

// DefaultTolerance is the replay window where a vendor signs a timestamp.
const DefaultTolerance = 5 * time.Minute

// Defaults are record fields a source fills in when the payload has none.
type Defaults struct {
	Touchpoint string `yaml:"touchpoint" json:"touchpoint,omitempty"`
	Team       string `yaml:"team" json:"team,omitempty"`
	Location   string `yaml:"location" json:"location,omitempty"`
	Agent      string `yaml:"agent" json:"agent,omitempty"`
	Role       string `yaml:"role" json:"role,omitempty"`
}

// SourceConfig is what a user configures for one webhook source.
type SourceConfig struct {
	// Type is the vendor (a Factory.Type). Default: the source's name.
	Type string `yaml:"type"`
	// Secrets verify requests; any one matching is accepted, so two can be
	// live during rotation. The first signs (Signer). Also set by
	// CORRIDOR_SECRET_<SOURCE>, comma-separated. Default: none.
	Secrets []string `yaml:"secrets"`
	// Tolerance is the replay window for vendors that sign a timestamp.
	// Default: 5m.
	Tolerance time.Duration `yaml:"tolerance"`
	// Defaults fill record fields the payload leaves empty. Default: none.
	Defaults Defaults `yaml:"defaults"`
	// Mapping derives record fields from vendor fields (record attributes),
	// e.g. a form id → touchpoint table or a `team:` ticket tag. Default: none.
	Mapping Mapping `yaml:"mapping"`
	// API configures the vendor API calls of sources that enrich (SurveyMonkey,
	// Qualtrics). Default: see EnrichConfig.
	API EnrichConfig `yaml:"api"`
	// RateLimit is the most requests per second accepted from this source;
	// beyond it, 429 with Retry-After. 0 means no limit. Default: 0.
	RateLimit float64 `yaml:"rate_limit"`
	// Burst is how many requests may arrive at once within RateLimit.
	// Default: RateLimit (at least 1).
	Burst int `yaml:"burst"`
	// Options are vendor-specific settings documented in the vendor README.
	Options map[string]string `yaml:"options"`
}

// Validate reports every problem with c.
func (c SourceConfig) Validate() error {
	var errs []error
	if c.Type == "" {
		errs = append(errs, errors.New("type: empty"))
	}
	if c.Tolerance < 0 {
		errs = append(errs, fmt.Errorf("tolerance: %v is negative", c.Tolerance))
	}
	for i, s := range c.Secrets {
		if strings.TrimSpace(s) == "" {
			errs = append(errs, fmt.Errorf("secrets[%d]: empty", i))
		}
	}
	if err := c.Mapping.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("mapping: %w", err))
	}
	if c.RateLimit < 0 || c.Burst < 0 {
		errs = append(errs, errors.New("rate_limit and burst must not be negative"))
	}
	if c.API.Timeout < 0 || c.API.Attempts < 0 {
		errs = append(errs, errors.New("api: timeout and attempts must not be negative"))
	}
	if c.Defaults.Role != "" && feedback.ParseRole(c.Defaults.Role) == feedback.RoleUnknown && c.Defaults.Role != string(feedback.RoleUnknown) {
		errs = append(errs, fmt.Errorf("defaults.role: %q is not end_user, buyer, decision_maker or unknown", c.Defaults.Role))
	}
	return errors.Join(errs...)
}

// ToleranceOrDefault returns the configured tolerance or DefaultTolerance.
func (c SourceConfig) ToleranceOrDefault() time.Duration {
	if c.Tolerance == 0 {
		return DefaultTolerance
	}
	return c.Tolerance
}
