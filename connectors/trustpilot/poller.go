package trustpilot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type and folder name, for the poller and the
// webhook decoder alike.
const Type = "trustpilot"

// Params of a connectors: entry.
const (
	ParamBusinessUnitID = "business_unit_id"
	ParamLanguage       = "language"
)

// RoleAPIKey is the credential role of the API key (the application's
// client id).
const RoleAPIKey = "api_key"

// DefaultBaseURL is the Trustpilot API.
const DefaultBaseURL = "https://api.trustpilot.com"

// Paging.
const (
	perPage = 100
	maxPage = 10000
)

var (
	businessUnitPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
	languagePattern     = regexp.MustCompile(`^([a-z]{2}(-[A-Za-z]{2})?|all)$`)
)

// NewPollerFactory returns the Trustpilot reviews poller factory.
func NewPollerFactory() connectors.PollerFactory {
	return connectors.PollerFactory{Type: Type, New: newPoller}
}

type poller struct {
	source   string
	unit     string
	language string
	baseURL  string
	api      *vendorapi.Client
	now      func() time.Time
}

var _ connectors.Poller = (*poller)(nil)

func newPoller(cfg connectors.PollerConfig, set connectors.Settings) (connectors.Poller, error) {
	p, err := configure(cfg, set)
	if err != nil {
		return nil, fmt.Errorf("trustpilot: %s: %w", cfg.ID, err)
	}
	return p, nil
}

func configure(cfg connectors.PollerConfig, set connectors.Settings) (*poller, error) {
	errs := []error{cfg.Validate()}
	if cfg.Type != "" && cfg.Type != Type {
		errs = append(errs, fmt.Errorf("type %q is not %s", cfg.Type, Type))
	}
	errs = append(errs, vendorapi.CheckParams(cfg.Params, ParamBusinessUnitID, ParamLanguage))
	p := &poller{
		source:   cfg.ID,
		unit:     strings.TrimSpace(cfg.Params[ParamBusinessUnitID]),
		language: strings.TrimSpace(cfg.Params[ParamLanguage]),
		now:      set.Clock(),
	}
	if !businessUnitPattern.MatchString(p.unit) {
		errs = append(errs, fmt.Errorf("params.%s: %q is not a business unit id (find it with GET /v1/business-units/find?name=<domain>)", ParamBusinessUnitID, p.unit))
	}
	if p.language != "" && !languagePattern.MatchString(p.language) {
		errs = append(errs, fmt.Errorf("params.%s: %q is not a language code like en or all", ParamLanguage, p.language))
	}
	key := strings.TrimSpace(cfg.Secrets[RoleAPIKey])
	if key == "" {
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
	// The key goes in a header, never in the query, where it would be logged.
	p.api = vendorapi.NewPoller(cfg, set, vendorapi.Options{Auth: func(h http.Header) { h.Set("apikey", key) }})
	return p, nil
}

// Fetch returns the page at token, a page number ("" is 1).
func (p *poller) Fetch(ctx context.Context, token string) (connectors.Page, error) {
	page, err := p.fetch(ctx, token)
	if err != nil {
		return page, fmt.Errorf("trustpilot: %w", err)
	}
	return page, nil
}

func (p *poller) fetch(ctx context.Context, token string) (connectors.Page, error) {
	n, err := pageNumber(token)
	if err != nil {
		return connectors.Page{}, err
	}
	q := url.Values{"perPage": {strconv.Itoa(perPage)}, "page": {strconv.Itoa(n)}, "orderBy": {"createdat.desc"}}
	if p.language != "" {
		q.Set("language", p.language)
	}
	u := p.baseURL + "/v1/business-units/" + p.unit + "/reviews?" + q.Encode()
	body, err := p.api.GetPage(ctx, u, nil)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("reviews page %d: %w", n, err)
	}
	return p.decode(body, n)
}

func pageNumber(token string) (int, error) {
	if token == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(token)
	if err != nil || n < 1 || n > maxPage || strconv.Itoa(n) != token {
		return 0, connectors.Malformedf("page token %.40q is not a page number 1..%d", token, maxPage)
	}
	return n, nil
}

// reviewsPage is the business unit reviews response.
type reviewsPage struct {
	Reviews *[]review       `json:"reviews"`
	Links   json.RawMessage `json:"links"`
}

type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// decode turns page n into records. On error the Page still carries the
// bytes and the next page number, so the framework can move on.
func (p *poller) decode(body []byte, n int) (connectors.Page, error) {
	page := connectors.Page{Raw: body}
	if n < maxPage {
		page.Next = strconv.Itoa(n + 1)
	}
	var rp reviewsPage
	if err := vendorapi.DecodePage(body, &rp); err != nil {
		return page, fmt.Errorf("reviews page %d: %w", n, err)
	}
	if rp.Reviews == nil {
		return page, fmt.Errorf("reviews page %d: %w", n, connectors.Malformedf("no reviews array"))
	}
	received := p.now()
	recs := make([]feedback.Record, 0, len(*rp.Reviews))
	for i := range *rp.Reviews {
		r := &(*rp.Reviews)[i]
		rec, err := r.record(p.source, received, 0)
		if err != nil {
			return page, fmt.Errorf("reviews page %d: %w", n, connectors.Malformedf("reviews[%d]: %v", i, err))
		}
		rec.Attributes["business_unit_id"] = p.unit
		rec.Attributes["reply"] = strconv.FormatBool(r.CompanyReply != nil)
		recs = append(recs, rec)
	}
	vendorapi.SortNewestFirst(recs)
	page.Records = recs
	if !hasNext(rp.Links, len(recs)) {
		page.Next = ""
	}
	return page, nil
}

// hasNext reads links: a list of {href, method, rel}, where rel next-page
// means more; with no usable links, a full page means more.
func hasNext(raw json.RawMessage, n int) bool {
	raw = bytes.TrimSpace(raw)
	var links []link
	if len(raw) > 0 && raw[0] == '[' && json.Unmarshal(raw, &links) == nil && len(links) > 0 {
		for _, l := range links {
			if strings.EqualFold(l.Rel, "next-page") {
				return true
			}
		}
		return false
	}
	return n >= perPage
}
