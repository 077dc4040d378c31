package googleplay

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
const Type = "googleplay"

// Params of a connectors: entry.
const (
	ParamPackageName = "package_name"
	ParamTokenURL    = "token_url"
)

// RoleServiceAccountJSON is the credential role of the service-account key
// file's contents.
const RoleServiceAccountJSON = "service_account_json"

// DefaultBaseURL is the Google Play Developer API.
const DefaultBaseURL = "https://androidpublisher.googleapis.com"

// maxResults is the page size asked for.
const maxResults = 100

// packagePattern is an Android application id (com.example.app).
var packagePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`)

// NewPollerFactory returns the Google Play poller factory.
func NewPollerFactory() connectors.PollerFactory {
	return connectors.PollerFactory{Type: Type, New: newPoller}
}

type poller struct {
	source  string
	pkg     string
	baseURL string
	api     *vendorapi.Client
	auth    *googleauth.TokenSource
	now     func() time.Time
}

var _ connectors.Poller = (*poller)(nil)

func newPoller(cfg connectors.PollerConfig, set connectors.Settings) (connectors.Poller, error) {
	p, err := configure(cfg, set)
	if err != nil {
		return nil, fmt.Errorf("googleplay: %s: %w", cfg.ID, err)
	}
	return p, nil
}

func configure(cfg connectors.PollerConfig, set connectors.Settings) (*poller, error) {
	errs := []error{cfg.Validate()}
	if cfg.Type != "" && cfg.Type != Type {
		errs = append(errs, fmt.Errorf("type %q is not %s", cfg.Type, Type))
	}
	errs = append(errs, vendorapi.CheckParams(cfg.Params, ParamPackageName, ParamTokenURL))
	p := &poller{source: cfg.ID, pkg: strings.TrimSpace(cfg.Params[ParamPackageName]), now: set.Clock()}
	if len(p.pkg) > 255 || !packagePattern.MatchString(p.pkg) {
		errs = append(errs, fmt.Errorf("params.%s: %q is not an Android package name (com.example.app)", ParamPackageName, p.pkg))
	}
	base, err := vendorapi.BaseURL(cfg.BaseURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("base_url: %w", err))
	}
	p.baseURL = base
	if p.baseURL == "" {
		p.baseURL = DefaultBaseURL
	}
	sa := cfg.Secrets[RoleServiceAccountJSON]
	if strings.TrimSpace(sa) == "" {
		errs = append(errs, fmt.Errorf("credentials.%s: missing (the service account key file's JSON)", RoleServiceAccountJSON))
	} else {
		ts, err := googleauth.New(googleauth.Config{
			ServiceAccountJSON: []byte(sa),
			Scopes:             []string{googleauth.ScopeAndroidPublisher},
			TokenURL:           cfg.Params[ParamTokenURL],
			Timeout:            cfg.WithDefaults().Timeout,
		}, set)
		if err != nil {
			errs = append(errs, fmt.Errorf("credentials.%s: %w", RoleServiceAccountJSON, err))
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
		return page, fmt.Errorf("googleplay: %w", err)
	}
	return page, nil
}

func (p *poller) fetch(ctx context.Context, token string) (connectors.Page, error) {
	if err := vendorapi.CheckPageToken(token); err != nil {
		return connectors.Page{}, err
	}
	q := url.Values{"maxResults": {strconv.Itoa(maxResults)}}
	if token != "" {
		q.Set("token", token)
	}
	u := p.baseURL + "/androidpublisher/v3/applications/" + url.PathEscape(p.pkg) + "/reviews?" + q.Encode()
	bearer, err := p.auth.Token(ctx)
	if err != nil {
		return connectors.Page{}, err
	}
	body, err := p.api.GetPage(ctx, u, http.Header{"Authorization": {"Bearer " + bearer}})
	if err != nil {
		if errors.Is(err, connectors.ErrUnauthorized) {
			p.auth.Invalidate() // a revoked or expired token: mint a new one next time
		}
		return connectors.Page{}, fmt.Errorf("reviews.list: %w", err)
	}
	return p.decode(body)
}

// reviewsList is the reviews.list response, fields we read. authorName is
// personal and deliberately not decoded.
type reviewsList struct {
	Reviews []struct {
		ReviewID string `json:"reviewId"`
		Comments []struct {
			UserComment *struct {
				Text             string    `json:"text"`
				LastModified     timestamp `json:"lastModified"`
				StarRating       *int      `json:"starRating"`
				ReviewerLanguage string    `json:"reviewerLanguage"`
				Device           string    `json:"device"`
				AndroidOSVersion *int      `json:"androidOsVersion"`
				AppVersionName   string    `json:"appVersionName"`
			} `json:"userComment"`
			DeveloperComment *struct {
				Text string `json:"text"`
			} `json:"developerComment"`
		} `json:"comments"`
	} `json:"reviews"`
	TokenPagination *struct {
		NextPageToken string `json:"nextPageToken"`
	} `json:"tokenPagination"`
}

// timestamp is the API's Timestamp: seconds (an int64 as a JSON string)
// and nanos.
type timestamp struct {
	Seconds wire.Seconds `json:"seconds"`
	Nanos   int64        `json:"nanos"`
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
	var l reviewsList
	if err := vendorapi.DecodePage(body, &l); err != nil {
		return nil, "", err
	}
	received := p.now()
	recs := make([]feedback.Record, 0, len(l.Reviews))
	for i, r := range l.Reviews {
		if err := vendorapi.CheckReviewID(r.ReviewID); err != nil {
			return nil, "", connectors.Malformedf("reviews[%d].reviewId: %v", i, err)
		}
		var (
			user    = -1
			replied bool
		)
		for j, c := range r.Comments {
			if c.UserComment != nil && user < 0 {
				user = j
			}
			if c.DeveloperComment != nil {
				replied = true
			}
		}
		if user < 0 {
			continue // no user comment: nothing to record
		}
		uc := r.Comments[user].UserComment
		modified := uc.LastModified.Seconds.Time()
		if modified.IsZero() || modified.Year() > 9999 {
			return nil, "", connectors.Malformedf("review %s: lastModified.seconds missing or out of range", r.ReviewID)
		}
		rec := vendorapi.NewReview(p.source, r.ReviewID, modified.Unix(), modified, received)
		if uc.StarRating != nil && *uc.StarRating != 0 {
			s, err := feedback.NewScore(feedback.ScoreRating, float64(*uc.StarRating), 1, 5)
			if err != nil {
				return nil, "", connectors.Malformedf("review %s: starRating: %v", r.ReviewID, err)
			}
			rec.Score = s
		}
		title, text, found := strings.Cut(uc.Text, "\t")
		if !found {
			title, text = "", uc.Text
		}
		rec.Text = wire.JoinText(title, text)
		rec.Attributes = map[string]string{"app_id": p.pkg, "reply": strconv.FormatBool(replied)}
		setAttr(&rec, "language", uc.ReviewerLanguage)
		setAttr(&rec, "app_version", uc.AppVersionName)
		setAttr(&rec, "device", uc.Device)
		if uc.AndroidOSVersion != nil && *uc.AndroidOSVersion > 0 {
			rec.Attributes["android_os_version"] = strconv.Itoa(*uc.AndroidOSVersion)
		}
		recs = append(recs, rec)
	}
	vendorapi.SortNewestFirst(recs)
	next := ""
	if l.TokenPagination != nil {
		next = l.TokenPagination.NextPageToken
		if err := vendorapi.CheckPageToken(next); err != nil {
			return nil, "", connectors.Malformedf("tokenPagination.nextPageToken: %v", err)
		}
	}
	return recs, next, nil
}

func setAttr(rec *feedback.Record, k, v string) {
	if v = strings.TrimSpace(v); v != "" {
		rec.Attributes[k] = v
	}
}
