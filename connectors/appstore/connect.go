package appstore

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// App Store Connect API token settings. Apple refuses tokens that expire
// more than 20 minutes after they are made; 15 leaves room for clock skew.
const (
	audience      = "appstoreconnect-v1"
	tokenLifetime = 15 * time.Minute
	connectLimit  = 200
	maxTokenLen   = 2048
)

// connectPage is GET /v1/apps/{id}/customerReviews, fields we read.
// reviewerNickname is personal and deliberately not decoded.
type connectPage struct {
	Data *[]struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Attributes struct {
			Rating      *float64  `json:"rating"`
			Title       string    `json:"title"`
			Body        string    `json:"body"`
			CreatedDate wire.Time `json:"createdDate"`
			Territory   string    `json:"territory"`
		} `json:"attributes"`
		Relationships struct {
			Response *struct {
				Data json.RawMessage `json:"data"`
			} `json:"response"`
		} `json:"relationships"`
	} `json:"data"`
	Links struct {
		Next string `json:"next"`
	} `json:"links"`
}

// firstConnectURL is the newest page of the app's reviews.
func (p *poller) firstConnectURL() string {
	q := url.Values{
		"sort":    {"-createdDate"},
		"limit":   {fmt.Sprint(connectLimit)},
		"include": {"response"},
	}
	if p.territory != "" {
		q.Set("filter[territory]", p.territory)
	}
	return p.baseURL + "/v1/apps/" + p.appID + "/customerReviews?" + q.Encode()
}

// connectURL returns the URL of the page at token: the first page for "",
// else token itself, a links.next URL, which must stay on the configured
// API (the request carries the API token).
func (p *poller) connectURL(token string) (string, error) {
	if token == "" {
		return p.firstConnectURL(), nil
	}
	if err := p.checkNext(token); err != nil {
		return "", connectors.Malformedf("page token: %v", err)
	}
	return token, nil
}

// checkNext accepts a links.next URL on the base URL's scheme and host,
// under its path, for this app's reviews.
func (p *poller) checkNext(next string) error {
	if len(next) > maxTokenLen {
		return fmt.Errorf("longer than %d characters", maxTokenLen)
	}
	u, err := url.Parse(next)
	if err != nil {
		return errors.New("not a URL")
	}
	base, err := url.Parse(p.baseURL)
	if err != nil {
		return errors.New("bad base URL")
	}
	want := strings.TrimRight(base.Path, "/") + "/v1/apps/" + p.appID + "/customerReviews"
	switch {
	case u.Scheme != base.Scheme || u.Host != base.Host || u.User != nil:
		return fmt.Errorf("not on %s://%s", base.Scheme, base.Host)
	case u.Path != want:
		return fmt.Errorf("path %.80q is not %s", u.Path, want)
	case u.Fragment != "":
		return errors.New("has a fragment")
	}
	return nil
}

// decodeConnect turns a customerReviews page into records.
func (p *poller) decodeConnect(body []byte) (connectors.Page, error) {
	page := connectors.Page{Raw: body}
	var cp connectPage
	if err := vendorapi.DecodePage(body, &cp); err != nil {
		return page, fmt.Errorf("customerReviews: %w", err)
	}
	if cp.Data == nil {
		return page, fmt.Errorf("customerReviews: %w", connectors.Malformedf("no data array"))
	}
	received := p.now()
	recs := make([]feedback.Record, 0, len(*cp.Data))
	for i, d := range *cp.Data {
		if d.Type != "" && d.Type != "customerReviews" {
			continue
		}
		if err := vendorapi.CheckReviewID(d.ID); err != nil {
			return page, fmt.Errorf("customerReviews: %w", connectors.Malformedf("data[%d].id: %v", i, err))
		}
		a := d.Attributes
		created, ok, err := wire.Instant(a.CreatedDate.Time)
		if err != nil || !ok || created.Unix() <= 0 {
			return page, fmt.Errorf("customerReviews: %w", connectors.Malformedf("review %s: createdDate missing or out of range", d.ID))
		}
		// The API has one timestamp; it is the version (see README, Versions).
		rec := vendorapi.NewReview(p.source, d.ID, created.Unix(), created, received)
		if a.Rating != nil {
			if math.Trunc(*a.Rating) != *a.Rating {
				return page, fmt.Errorf("customerReviews: %w", connectors.Malformedf("review %s: rating %v is not a whole number", d.ID, *a.Rating))
			}
			s, err := feedback.NewScore(feedback.ScoreRating, *a.Rating, 1, 5)
			if err != nil {
				return page, fmt.Errorf("customerReviews: %w", connectors.Malformedf("review %s: rating: %v", d.ID, err))
			}
			rec.Score = s
		}
		rec.Text = wire.JoinText(a.Title, a.Body)
		rec.Attributes = map[string]string{"app_id": p.appID, "feed": SourceConnect}
		if t := strings.TrimSpace(a.Territory); t != "" {
			rec.Attributes["country"] = t
		}
		// relationships.response.data is the reply, or null when there is
		// none; a relationship with only links (Apple's own example) says
		// nothing either way.
		if r := d.Relationships.Response; r != nil {
			if data := bytes.TrimSpace(r.Data); len(data) > 0 {
				rec.Attributes["reply"] = fmt.Sprint(!bytes.Equal(data, []byte("null")))
			}
		}
		recs = append(recs, rec)
	}
	vendorapi.SortNewestFirst(recs)
	page.Records = recs
	if cp.Links.Next != "" {
		if err := p.checkNext(cp.Links.Next); err != nil {
			return connectors.Page{Raw: body}, fmt.Errorf("customerReviews: %w", connectors.Malformedf("links.next: %v", err))
		}
		page.Next = cp.Links.Next
	}
	return page, nil
}

// token returns an App Store Connect API token made at now: an ES256 JWT
// with kid=key_id, iss=issuer_id, aud=appstoreconnect-v1, iat=now and
// exp=now+15m, signed as JOSE wants (r‖s, 32 bytes each).
func (p *poller) token(now time.Time) (string, error) {
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{"ES256", p.keyID, "JWT"})
	if err != nil {
		return "", err
	}
	claims, err := json.Marshal(struct {
		Iss string `json:"iss"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
		Aud string `json:"aud"`
	}{p.issuerID, now.Unix(), now.Add(tokenLifetime).Unix(), audience})
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, p.key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// parseKey reads the API key's .p8 file (PKCS#8 PEM; SEC 1 "EC PRIVATE
// KEY" is accepted too). Literal \n sequences, as some secret stores keep
// multi-line values, are turned into newlines.
func parseKey(text string) (*ecdsa.PrivateKey, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errors.New("missing")
	}
	if !strings.Contains(text, "\n") {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("not a PEM block (want the contents of AuthKey_<key id>.p8)")
	}
	var key *ecdsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		ek, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("a %T, want an EC key", k)
		}
		key = ek
	} else if ek, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		key = ek
	} else {
		return nil, errors.New("not a PKCS#8 or SEC 1 EC private key")
	}
	if key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("curve %s, want P-256 (ES256)", key.Curve.Params().Name)
	}
	return key, nil
}
