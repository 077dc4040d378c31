package gbp

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

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/googleauth"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type and folder name.
const Type = "gbp"

// Params of a connectors: entry.
const (
	ParamAccountID  = "account_id"
	ParamLocationID = "location_id"
	ParamLocation   = "location"
	ParamTokenURL   = "token_url"
)

// Credential roles; configure exactly one.
const (
	RoleAuthorizedUserJSON = "authorized_user_json"
	RoleServiceAccountJSON = "service_account_json"
)

// DefaultBaseURL is the Google My Business API (v4 reviews).
const DefaultBaseURL = "https://mybusiness.googleapis.com"

// pageSize is the page size asked for, the API's maximum.
const pageSize = 50

var idPattern = regexp.MustCompile(`^[0-9]{1,30}$`)

// stars maps the starRating enum to a rating.
var stars = map[string]float64{"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}

// NewPollerFactory returns the Google Business Profile poller factory.
func NewPollerFactory() connectors.PollerFactory {
	return connectors.PollerFactory{Type: Type, New: newPoller}
}

type poller struct {
	source     string
	accountID  string
	locationID string
	location   string
	baseURL    string
	api        *vendorapi.Client
	auth       *googleauth.TokenSource
	now        func() time.Time
}

var _ connectors.Poller = (*poller)(nil)

func newPoller(cfg connectors.PollerConfig, set connectors.Settings) (connectors.Poller, error) {
	p, err := configure(cfg, set)
	if err != nil {
		return nil, fmt.Errorf("gbp: %s: %w", cfg.ID, err)
	}
	return p, nil
}

func configure(cfg connectors.PollerConfig, set connectors.Settings) (*poller, error) {
	errs := []error{cfg.Validate()}
	if cfg.Type != "" && cfg.Type != Type {
		errs = append(errs, fmt.Errorf("type %q is not %s", cfg.Type, Type))
	}
	errs = append(errs, vendorapi.CheckParams(cfg.Params, ParamAccountID, ParamLocationID, ParamLocation, ParamTokenURL))
	p := &poller{
		source:     cfg.ID,
		accountID:  strings.TrimSpace(cfg.Params[ParamAccountID]),
		locationID: strings.TrimSpace(cfg.Params[ParamLocationID]),
		location:   strings.TrimSpace(cfg.Params[ParamLocation]),
		now:        set.Clock(),
	}
	for _, id := range []struct{ name, v string }{{ParamAccountID, p.accountID}, {ParamLocationID, p.locationID}} {
		if !idPattern.MatchString(id.v) {
			errs = append(errs, fmt.Errorf("params.%s: %q is not a numeric id (accounts/{account_id}/locations/{location_id})", id.name, id.v))
		}
	}
	base, err := vendorapi.BaseURL(cfg.BaseURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("base_url: %w", err))
	}
	p.baseURL = base
	if p.baseURL == "" {
		p.baseURL = DefaultBaseURL
	}
	user, sa := strings.TrimSpace(cfg.Secrets[RoleAuthorizedUserJSON]), strings.TrimSpace(cfg.Secrets[RoleServiceAccountJSON])
	role, creds := RoleAuthorizedUserJSON, user
	if sa != "" {
		role, creds = RoleServiceAccountJSON, sa
	}
	switch {
	case user != "" && sa != "":
		errs = append(errs, fmt.Errorf("credentials: set %s or %s, not both", RoleAuthorizedUserJSON, RoleServiceAccountJSON))
	case creds == "":
		errs = append(errs, fmt.Errorf("credentials: %s (a user's OAuth client and refresh token) or %s is required", RoleAuthorizedUserJSON, RoleServiceAccountJSON))
	default:
		ts, err := googleauth.New(googleauth.Config{
			ServiceAccountJSON: []byte(creds),
			Scopes:             []string{googleauth.ScopeBusinessManage},
			TokenURL:           cfg.Params[ParamTokenURL],
			Timeout:            cfg.WithDefaults().Timeout,
		}, set)
		if err != nil {
			errs = append(errs, fmt.Errorf("credentials.%s: %w", role, err))
		}
		p.auth = ts
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p.api = vendorapi.NewPoller(cfg, set, vendorapi.Options{})
	return p, nil
}

// Fetch returns the page at token ("" is the newest).
func (p *poller) Fetch(ctx context.Context, token string) (connectors.Page, error) {
	page, err := p.fetch(ctx, token)
	if err != nil {
		return page, fmt.Errorf("gbp: %w", err)
	}
	return page, nil
}

func (p *poller) fetch(ctx context.Context, token string) (connectors.Page, error) {
	if err := vendorapi.CheckPageToken(token); err != nil {
		return connectors.Page{}, err
	}
	q := url.Values{"pageSize": {strconv.Itoa(pageSize)}, "orderBy": {"updateTime desc"}}
	if token != "" {
		q.Set("pageToken", token)
	}
	u := p.baseURL + "/v4/accounts/" + p.accountID + "/locations/" + p.locationID + "/reviews?" + q.Encode()
	bearer, err := p.auth.Token(ctx)
	if err != nil {
		return connectors.Page{}, err
	}
	body, err := p.api.GetPage(ctx, u, http.Header{"Authorization": {"Bearer " + bearer}})
	if err != nil {
		if errors.Is(err, connectors.ErrUnauthorized) {
			p.auth.Invalidate()
		}
		return connectors.Page{}, fmt.Errorf("reviews.list: %w", err)
	}
	return p.decode(body)
}

// listReviews is the reviews.list response, fields we read. reviewer
// (display name, photo) is personal and deliberately not decoded.
type listReviews struct {
	Reviews []struct {
		ReviewID    string    `json:"reviewId"`
		StarRating  string    `json:"starRating"`
		Comment     string    `json:"comment"`
		CreateTime  wire.Time `json:"createTime"`
		UpdateTime  wire.Time `json:"updateTime"`
		ReviewReply *struct {
			Comment string `json:"comment"`
		} `json:"reviewReply"`
	} `json:"reviews"`
	NextPageToken string `json:"nextPageToken"`
}

// decode turns a reviews.list page into records.
func (p *poller) decode(body []byte) (connectors.Page, error) {
	page := connectors.Page{Raw: body}
	recs, next, err := p.records(body)
	if err != nil {
		return page, fmt.Errorf("reviews.list: %w", err)
	}
	page.Records, page.Next = recs, next
	return page, nil
}

func (p *poller) records(body []byte) ([]feedback.Record, string, error) {
	var l listReviews
	if err := vendorapi.DecodePage(body, &l); err != nil {
		return nil, "", err
	}
	received := p.now()
	recs := make([]feedback.Record, 0, len(l.Reviews))
	for i, r := range l.Reviews {
		if err := vendorapi.CheckReviewID(r.ReviewID); err != nil {
			return nil, "", connectors.Malformedf("reviews[%d].reviewId: %v", i, err)
		}
		updated, uok, uerr := wire.Instant(r.UpdateTime.Time)
		created, cok, cerr := wire.Instant(r.CreateTime.Time)
		if uerr != nil || cerr != nil {
			return nil, "", connectors.Malformedf("review %s: createTime or updateTime out of range", r.ReviewID)
		}
		if !uok {
			updated, uok = created, cok
		}
		if !cok {
			created = updated
		}
		if !uok || updated.Unix() <= 0 {
			return nil, "", connectors.Malformedf("review %s: no updateTime or createTime", r.ReviewID)
		}
		rec := vendorapi.NewReview(p.source, r.ReviewID, updated.Unix(), created, received)
		switch r.StarRating {
		case "", "STAR_RATING_UNSPECIFIED":
		default:
			v, ok := stars[r.StarRating]
			if !ok {
				return nil, "", connectors.Malformedf("review %s: starRating %.20q is not ONE..FIVE", r.ReviewID, r.StarRating)
			}
			rec.Score, _ = feedback.NewScore(feedback.ScoreRating, v, 1, 5)
		}
		rec.Text = strings.TrimSpace(r.Comment)
		rec.Location = p.location
		rec.Attributes = map[string]string{
			"account_id":  p.accountID,
			"location_id": p.locationID,
			"reply":       strconv.FormatBool(r.ReviewReply != nil),
		}
		recs = append(recs, rec)
	}
	vendorapi.SortNewestFirst(recs)
	if err := vendorapi.CheckPageToken(l.NextPageToken); err != nil {
		return nil, "", connectors.Malformedf("nextPageToken: %v", err)
	}
	return recs, l.NextPageToken, nil
}
