package connectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// Poller reads one review feed (an app in one country, a business unit, a
// location) page by page, newest first. It is the polled counterpart of a
// Decoder: it does the vendor API I/O, the framework (gateway/poll) owns
// scheduling, cursors and Kafka.
//
// Each returned record has a deterministic ID (NewID of the connector id and
// the vendor's review id) and a Version that grows when the review is
// edited (the vendor's last-modified time in Unix seconds, or 1 when the
// vendor has none), so an edited review is a new version of the same record.
type Poller interface {
	// Fetch returns the page at pageToken ("" is the newest page).
	// Errors wrap ErrUpstream (retry later), ErrUnauthorized (credentials
	// refused) or ErrMalformed (the page could not be decoded; the framework
	// dead-letters it with its bytes and moves on).
	Fetch(ctx context.Context, pageToken string) (Page, error)
}

// Page is one page of a review feed.
type Page struct {
	// Records on this page, newest first by Version then OccurredAt.
	Records []feedback.Record
	// Next is the token of the following (older) page; "" on the last.
	Next string
	// Raw is the page's bytes as received, for the raw and dead-letter topics.
	Raw []byte
}

// PollerFactory builds the poller of one review site.
type PollerFactory struct {
	// Type is the folder name and the `type` in a connectors: config entry.
	Type string
	// New builds a ready poller for one configured feed.
	New func(cfg PollerConfig, set Settings) (Poller, error)
}

// PollerConfig is one entry of the `connectors:` config list.
type PollerConfig struct {
	// Type is the review site (a PollerFactory.Type).
	Type string `yaml:"type"`
	// ID names this feed; records' source is the ID, cursors are keyed by it.
	ID string `yaml:"id"`
	// Interval between polls. Default: 15m.
	Interval time.Duration `yaml:"interval"`
	// BaseURL overrides the vendor API's address (tests, proxies).
	BaseURL string `yaml:"base_url"`
	// Params are the site-specific parameters (app_id, country,
	// package_name, business_unit_id, location_name, …), per vendor README.
	Params map[string]string `yaml:"params"`
	// Credentials name environment variables holding secrets, by role
	// (api_key: TRUSTPILOT_API_KEY). Values are resolved at start into
	// Secrets and never logged.
	Credentials map[string]string `yaml:"credentials"`
	// Secrets are the resolved credentials, by role; not read from YAML.
	Secrets map[string]string `yaml:"-"`
	// Defaults fill record fields the vendor leaves empty (location for a
	// Google Business Profile location, touchpoint, team).
	Defaults Defaults `yaml:"defaults"`
	// MaxPages bounds the pages read in one poll (request budget). Default: 50.
	MaxPages int `yaml:"max_pages"`
	// Timeout bounds one API call. Default: 10s.
	Timeout time.Duration `yaml:"timeout"`
}

// WithDefaults returns c with zero fields set to their defaults.
func (c PollerConfig) WithDefaults() PollerConfig {
	if c.Interval == 0 {
		c.Interval = 15 * time.Minute
	}
	if c.MaxPages == 0 {
		c.MaxPages = 50
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	return c
}

// Validate reports every problem with c.
func (c PollerConfig) Validate() error {
	var errs []error
	if c.Type == "" {
		errs = append(errs, errors.New("type: empty"))
	}
	if c.ID == "" {
		errs = append(errs, errors.New("id: empty"))
	}
	if c.Interval < 0 || c.MaxPages < 0 || c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("interval, max_pages and timeout must not be negative"))
	}
	return errors.Join(errs...)
}
