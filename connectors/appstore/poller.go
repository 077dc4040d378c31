package appstore

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
)

// Type is the connector's type and folder name.
const Type = "appstore"

// Sources of reviews (the `source` param).
const (
	SourceRSS     = "rss"
	SourceConnect = "connect"
)

// Params of a connectors: entry.
const (
	ParamAppID     = "app_id"
	ParamSource    = "source"
	ParamCountry   = "country"
	ParamTerritory = "territory"
)

// Credential roles (cfg.Credentials names the env variable of each).
const (
	RoleKeyID      = "key_id"
	RoleIssuerID   = "issuer_id"
	RolePrivateKey = "private_key"
)

// Default API addresses; cfg.BaseURL overrides the one in use.
const (
	DefaultRSSBaseURL     = "https://itunes.apple.com"
	DefaultConnectBaseURL = "https://api.appstoreconnect.apple.com"
)

var (
	appIDPattern     = regexp.MustCompile(`^[0-9]{1,20}$`)
	countryPattern   = regexp.MustCompile(`^[a-z]{2}$`)
	territoryPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

// NewPollerFactory returns the App Store poller factory.
func NewPollerFactory() connectors.PollerFactory {
	return connectors.PollerFactory{Type: Type, New: newPoller}
}

type poller struct {
	source    string // cfg.ID, the records' source
	feed      string // SourceRSS or SourceConnect
	appID     string
	country   string // rss storefront
	territory string // connect filter, optional
	baseURL   string
	api       *vendorapi.Client
	now       func() time.Time

	// App Store Connect API key.
	keyID    string
	issuerID string
	key      *ecdsa.PrivateKey
}

var _ connectors.Poller = (*poller)(nil)

func newPoller(cfg connectors.PollerConfig, set connectors.Settings) (connectors.Poller, error) {
	p, err := configure(cfg, set)
	if err != nil {
		return nil, fmt.Errorf("appstore: %s: %w", cfg.ID, err)
	}
	return p, nil
}

func configure(cfg connectors.PollerConfig, set connectors.Settings) (*poller, error) {
	errs := []error{cfg.Validate()}
	if cfg.Type != "" && cfg.Type != Type {
		errs = append(errs, fmt.Errorf("type %q is not %s", cfg.Type, Type))
	}
	errs = append(errs, vendorapi.CheckParams(cfg.Params, ParamAppID, ParamSource, ParamCountry, ParamTerritory))
	p := &poller{
		source:    cfg.ID,
		feed:      strings.ToLower(strings.TrimSpace(cfg.Params[ParamSource])),
		appID:     strings.TrimSpace(cfg.Params[ParamAppID]),
		country:   strings.ToLower(strings.TrimSpace(cfg.Params[ParamCountry])),
		territory: strings.ToUpper(strings.TrimSpace(cfg.Params[ParamTerritory])),
		now:       set.Clock(),
	}
	if p.feed == "" {
		p.feed = SourceRSS
	}
	if !appIDPattern.MatchString(p.appID) {
		errs = append(errs, fmt.Errorf("params.%s: %q is not a numeric App Store app id", ParamAppID, p.appID))
	}
	base := DefaultRSSBaseURL
	switch p.feed {
	case SourceRSS:
		if !countryPattern.MatchString(p.country) {
			errs = append(errs, fmt.Errorf("params.%s: %q is not a two-letter storefront code (rss needs one, e.g. us)", ParamCountry, p.country))
		}
		if p.territory != "" {
			errs = append(errs, fmt.Errorf("params.%s: only for source connect", ParamTerritory))
		}
	case SourceConnect:
		base = DefaultConnectBaseURL
		if p.territory != "" && !territoryPattern.MatchString(p.territory) {
			errs = append(errs, fmt.Errorf("params.%s: %q is not an ISO 3166 alpha-3 code (e.g. USA)", ParamTerritory, p.territory))
		}
		p.keyID = strings.TrimSpace(cfg.Secrets[RoleKeyID])
		p.issuerID = strings.TrimSpace(cfg.Secrets[RoleIssuerID])
		if p.keyID == "" || p.issuerID == "" {
			errs = append(errs, fmt.Errorf("credentials: source connect needs %s, %s and %s", RoleKeyID, RoleIssuerID, RolePrivateKey))
		}
		key, err := parseKey(cfg.Secrets[RolePrivateKey])
		if err != nil {
			errs = append(errs, fmt.Errorf("credentials.%s: %w", RolePrivateKey, err))
		}
		p.key = key
	default:
		errs = append(errs, fmt.Errorf("params.%s: %q is not %s or %s", ParamSource, p.feed, SourceRSS, SourceConnect))
	}
	b, err := vendorapi.BaseURL(cfg.BaseURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("base_url: %w", err))
	}
	if b != "" {
		base = b
	}
	p.baseURL = base
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p.api = vendorapi.NewPoller(cfg, set, vendorapi.Options{})
	return p, nil
}

// Fetch returns the page at token; see the package documentation.
func (p *poller) Fetch(ctx context.Context, token string) (connectors.Page, error) {
	var (
		page connectors.Page
		err  error
	)
	if p.feed == SourceConnect {
		page, err = p.fetchConnect(ctx, token)
	} else {
		page, err = p.fetchRSS(ctx, token)
	}
	if err != nil {
		return page, fmt.Errorf("appstore: %w", err)
	}
	return page, nil
}

func (p *poller) fetchRSS(ctx context.Context, token string) (connectors.Page, error) {
	n, err := rssPageNumber(token)
	if err != nil {
		return connectors.Page{}, err
	}
	u := fmt.Sprintf("%s/%s/rss/customerreviews/page=%d/id=%s/sortby=mostrecent/json", p.baseURL, p.country, n, p.appID)
	body, err := p.api.GetPage(ctx, u, nil)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("rss page %d: %w", n, err)
	}
	return p.decodeRSS(body, n)
}

func (p *poller) fetchConnect(ctx context.Context, token string) (connectors.Page, error) {
	u, err := p.connectURL(token)
	if err != nil {
		return connectors.Page{}, err
	}
	jwt, err := p.token(p.now())
	if err != nil {
		return connectors.Page{}, fmt.Errorf("%w: sign API token: %v", connectors.ErrUnauthorized, err)
	}
	body, err := p.api.GetPage(ctx, u, http.Header{"Authorization": {"Bearer " + jwt}})
	if err != nil {
		return connectors.Page{}, fmt.Errorf("customerReviews: %w", err)
	}
	return p.decodeConnect(body)
}
