package yelp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time_created is Pacific time; do not depend on the host's zoneinfo

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type and folder name.
const Type = "yelp"

// Params of a connectors: entry.
const (
	ParamBusinessID = "business_id"
	ParamLimit      = "limit"
	ParamLocale     = "locale"
)

// RoleAPIKey is the credential role of the Fusion API key.
const RoleAPIKey = "api_key"

// DefaultBaseURL is the Yelp Fusion API.
const DefaultBaseURL = "https://api.yelp.com"

// Paging bounds.
const (
	defaultLimit = 50
	maxLimit     = 50
	maxOffset    = 1000 // Yelp's offset+limit ceiling
)

// timeCreatedLayout is time_created: "2016-08-29 00:41:13", no offset.
const timeCreatedLayout = "2006-01-02 15:04:05"

var (
	businessPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	localePattern   = regexp.MustCompile(`^[a-z]{2}_[A-Z]{2}$`)
	pacific         = mustLoad("America/Los_Angeles")
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded; this cannot fail
	}
	return loc
}

// NewPollerFactory returns the Yelp poller factory.
func NewPollerFactory() connectors.PollerFactory {
	return connectors.PollerFactory{Type: Type, New: newPoller}
}

type poller struct {
	source   string
	business string
	limit    int
	locale   string
	baseURL  string
	key      string
	api      *vendorapi.Client
	now      func() time.Time
}

var _ connectors.Poller = (*poller)(nil)

func newPoller(cfg connectors.PollerConfig, set connectors.Settings) (connectors.Poller, error) {
	p, err := configure(cfg, set)
	if err != nil {
		return nil, fmt.Errorf("yelp: %s: %w", cfg.ID, err)
	}
	return p, nil
}

func configure(cfg connectors.PollerConfig, set connectors.Settings) (*poller, error) {
	errs := []error{cfg.Validate()}
	if cfg.Type != "" && cfg.Type != Type {
		errs = append(errs, fmt.Errorf("type %q is not %s", cfg.Type, Type))
	}
	errs = append(errs, vendorapi.CheckParams(cfg.Params, ParamBusinessID, ParamLimit, ParamLocale))
	p := &poller{
		source:   cfg.ID,
		business: strings.TrimSpace(cfg.Params[ParamBusinessID]),
		locale:   strings.TrimSpace(cfg.Params[ParamLocale]),
		limit:    defaultLimit,
		key:      strings.TrimSpace(cfg.Secrets[RoleAPIKey]),
		now:      set.Clock(),
	}
	if !businessPattern.MatchString(p.business) {
		errs = append(errs, fmt.Errorf("params.%s: %q is not a Yelp business id or alias", ParamBusinessID, p.business))
	}
	if v := strings.TrimSpace(cfg.Params[ParamLimit]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			errs = append(errs, fmt.Errorf("params.%s: %q is not 1..%d", ParamLimit, v, maxLimit))
		}
		p.limit = n
	}
	if p.locale != "" && !localePattern.MatchString(p.locale) {
		errs = append(errs, fmt.Errorf("params.%s: %q is not a locale like en_US", ParamLocale, p.locale))
	}
	if p.key == "" {
		errs = append(errs, fmt.Errorf("credentials.%s: missing", RoleAPIKey))
	}
	base, err := vendorapi.BaseURL(cfg.BaseURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("base_url: %w", err))
	}
	p.baseURL = base
	if p.baseURL == "" {
		p.baseURL = DefaultBaseURL
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	key := p.key
	p.api = vendorapi.NewPoller(cfg, set, vendorapi.Options{Auth: func(h http.Header) { h.Set("Authorization", "Bearer "+key) }})
	return p, nil
}

// Fetch returns the page at token, an offset ("" is 0).
func (p *poller) Fetch(ctx context.Context, token string) (connectors.Page, error) {
	page, err := p.fetch(ctx, token)
	if err != nil {
		return page, fmt.Errorf("yelp: %w", err)
	}
	return page, nil
}

func (p *poller) fetch(ctx context.Context, token string) (connectors.Page, error) {
	offset, err := parseOffset(token)
	if err != nil {
		return connectors.Page{}, err
	}
	q := url.Values{"limit": {strconv.Itoa(p.limit)}, "sort_by": {"newest"}, "offset": {strconv.Itoa(offset)}}
	if p.locale != "" {
		q.Set("locale", p.locale)
	}
	u := p.baseURL + "/v3/businesses/" + p.business + "/reviews?" + q.Encode()
	body, err := p.api.GetPage(ctx, u, nil)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("reviews: %w", err)
	}
	return p.decode(body, offset)
}

func parseOffset(token string) (int, error) {
	if token == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(token)
	if err != nil || n < 0 || n >= maxOffset || strconv.Itoa(n) != token {
		return 0, connectors.Malformedf("page token %.40q is not an offset 0..%d", token, maxOffset-1)
	}
	return n, nil
}

// reviewsResponse is the business reviews response, fields we read. The
// user's name, profile URL and photo are personal and not decoded.
type reviewsResponse struct {
	Reviews *[]struct {
		ID          string   `json:"id"`
		URL         string   `json:"url"`
		Text        string   `json:"text"`
		Rating      *float64 `json:"rating"`
		TimeCreated string   `json:"time_created"`
		User        *struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"reviews"`
	Total int `json:"total"`
}

// decode turns the page at offset into records.
func (p *poller) decode(body []byte, offset int) (connectors.Page, error) {
	page := connectors.Page{Raw: body}
	recs, next, err := p.records(body, offset)
	if err != nil {
		return page, fmt.Errorf("reviews: %w", err)
	}
	page.Records, page.Next = recs, next
	return page, nil
}

func (p *poller) records(body []byte, offset int) ([]feedback.Record, string, error) {
	var r reviewsResponse
	if err := vendorapi.DecodePage(body, &r); err != nil {
		return nil, "", err
	}
	if r.Reviews == nil {
		return nil, "", connectors.Malformedf("no reviews array")
	}
	received := p.now()
	recs := make([]feedback.Record, 0, len(*r.Reviews))
	for i, rv := range *r.Reviews {
		if err := vendorapi.CheckReviewID(rv.ID); err != nil {
			return nil, "", connectors.Malformedf("reviews[%d].id: %v", i, err)
		}
		created, err := time.ParseInLocation(timeCreatedLayout, strings.TrimSpace(rv.TimeCreated), pacific)
		if err != nil || created.Unix() <= 0 {
			return nil, "", connectors.Malformedf("review %s: time_created %.40q is not YYYY-MM-DD HH:MM:SS", rv.ID, rv.TimeCreated)
		}
		// time_created is the only timestamp; it is the version (README, Versions).
		rec := vendorapi.NewReview(p.source, rv.ID, created.Unix(), created, received)
		if rv.Rating != nil {
			s, err := feedback.NewScore(feedback.ScoreRating, *rv.Rating, 1, 5)
			if err != nil {
				return nil, "", connectors.Malformedf("review %s: rating: %v", rv.ID, err)
			}
			rec.Score = s
		}
		rec.Text = wire.JoinText(rv.Text)
		if rv.User != nil && vendorapi.CheckReviewID(rv.User.ID) == nil {
			rec.Customer.ID = rv.User.ID
		}
		rec.Attributes = map[string]string{"business_id": p.business, "excerpt": "true"}
		if u, err := url.Parse(strings.TrimSpace(rv.URL)); err == nil && u.Scheme == "https" && u.Host != "" {
			rec.Attributes["url"] = u.String()
		}
		recs = append(recs, rec)
	}
	vendorapi.SortNewestFirst(recs)
	next := ""
	if n := offset + len(recs); len(recs) >= p.limit && n < r.Total && n < maxOffset {
		next = strconv.Itoa(n)
	}
	return recs, next, nil
}
