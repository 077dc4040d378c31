package googleauth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/corridorhq/corridor/connectors"
)

// DefaultTokenURL is Google's OAuth 2.0 token endpoint.
const DefaultTokenURL = "https://oauth2.googleapis.com/token"

// OAuth scopes of the APIs Corridor polls.
const (
	ScopeAndroidPublisher = "https://www.googleapis.com/auth/androidpublisher"
	ScopeBusinessManage   = "https://www.googleapis.com/auth/business.manage"
)

// Bounds and timings.
const (
	assertionLifetime = time.Hour
	refreshEarly      = time.Minute
	defaultTimeout    = 10 * time.Second
	attempts          = 3
	baseDelay         = 200 * time.Millisecond
	maxResponse       = 64 << 10
)

// Grant types: a service account's signed assertion, or an authorized
// user's refresh token.
const (
	grantJWTBearer    = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	grantRefreshToken = "refresh_token"
)

// Key file types New accepts.
const (
	TypeServiceAccount = "service_account"
	TypeAuthorizedUser = "authorized_user"
)

// Config configures a TokenSource.
type Config struct {
	// ServiceAccountJSON is the credentials file: a service-account key
	// (type service_account), or an authorized user's OAuth client and
	// refresh token (type authorized_user, as gcloud writes them). Required.
	ServiceAccountJSON []byte
	// Scopes requested. Required for a service account; an authorized
	// user's refresh token carries the scopes it was granted.
	Scopes []string
	// TokenURL overrides the key's token_uri (tests, proxies). Default: the
	// key's token_uri, else DefaultTokenURL.
	TokenURL string
	// Timeout bounds one token request. Default: 10s.
	Timeout time.Duration
}

// TokenSource mints and caches access tokens for one service account or
// authorized user.
type TokenSource struct {
	typ   string // TypeServiceAccount or TypeAuthorizedUser
	email string
	keyID string
	key   *rsa.PrivateKey
	// authorized user
	clientID     string
	clientSecret string
	refreshToken string

	scope    string
	tokenURL string
	timeout  time.Duration
	http     *http.Client
	now      func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// credentialsFile is the key file, fields we read.
type credentialsFile struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
	// authorized_user
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
}

// New parses cfg's key and returns a ready TokenSource using set's HTTP
// client and clock.
func New(cfg Config, set connectors.Settings) (*TokenSource, error) {
	var f credentialsFile
	if len(strings.TrimSpace(string(cfg.ServiceAccountJSON))) == 0 {
		return nil, errors.New("googleauth: credentials JSON is empty")
	}
	if err := json.Unmarshal(cfg.ServiceAccountJSON, &f); err != nil {
		return nil, errors.New("googleauth: credentials JSON does not parse")
	}
	ts := &TokenSource{typ: f.Type}
	if ts.typ == "" {
		ts.typ = TypeServiceAccount
	}
	var errs []error
	var scopes []string
	for _, s := range cfg.Scopes {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	switch ts.typ {
	case TypeServiceAccount:
		ts.email = strings.TrimSpace(f.ClientEmail)
		ts.keyID = strings.TrimSpace(f.PrivateKeyID)
		if ts.email == "" {
			errs = append(errs, errors.New("client_email is missing"))
		}
		key, err := parseKey(f.PrivateKey)
		if err != nil {
			errs = append(errs, fmt.Errorf("private_key: %w", err))
		}
		ts.key = key
		if len(scopes) == 0 {
			errs = append(errs, errors.New("no scope"))
		}
	case TypeAuthorizedUser:
		ts.clientID = strings.TrimSpace(f.ClientID)
		ts.clientSecret = strings.TrimSpace(f.ClientSecret)
		ts.refreshToken = strings.TrimSpace(f.RefreshToken)
		ts.email = ts.clientID
		if ts.clientID == "" || ts.clientSecret == "" || ts.refreshToken == "" {
			errs = append(errs, errors.New("client_id, client_secret and refresh_token are required"))
		}
	default:
		errs = append(errs, fmt.Errorf("type is %q, want %s or %s", f.Type, TypeServiceAccount, TypeAuthorizedUser))
	}
	ts.scope = strings.Join(scopes, " ")
	ts.tokenURL = firstNonEmpty(cfg.TokenURL, f.TokenURI, DefaultTokenURL)
	if err := checkTokenURL(ts.tokenURL); err != nil {
		errs = append(errs, fmt.Errorf("token URL: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("googleauth: credentials: %w", err)
	}

	hc := *set.HTTP()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ts.http = &hc
	ts.timeout = cfg.Timeout
	if ts.timeout <= 0 {
		ts.timeout = defaultTimeout
	}
	ts.now = set.Clock()
	return ts, nil
}

// Email returns the service account's client_email, or an authorized
// user's OAuth client id.
func (ts *TokenSource) Email() string { return ts.email }

// TokenURL returns the token endpoint in use.
func (ts *TokenSource) TokenURL() string { return ts.tokenURL }

// Token returns a valid access token, fetching one when none is cached or
// the cached one expires within a minute.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token != "" && ts.now().Before(ts.expires) {
		return ts.token, nil
	}
	tok, lifetime, err := ts.fetch(ctx)
	if err != nil {
		return "", fmt.Errorf("googleauth: token for %s: %w", ts.email, err)
	}
	ts.token = tok
	// Refresh a minute early; a short-lived token is reused for half its life.
	early := min(refreshEarly, lifetime/2)
	ts.expires = ts.now().Add(lifetime - early)
	return tok, nil
}

// Invalidate drops the cached token, so the next Token fetches a new one.
func (ts *TokenSource) Invalidate() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.token, ts.expires = "", time.Time{}
}

// Assertion returns the signed JWT Token exchanges, issued at now (a
// service account only).
func (ts *TokenSource) Assertion(now time.Time) (string, error) {
	if ts.key == nil {
		return "", errors.New("not a service account")
	}
	header := struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
		Kid string `json:"kid,omitempty"`
	}{"RS256", "JWT", ts.keyID}
	claims := struct {
		Iss   string `json:"iss"`
		Scope string `json:"scope"`
		Aud   string `json:"aud"`
		Iat   int64  `json:"iat"`
		Exp   int64  `json:"exp"`
	}{ts.email, ts.scope, ts.tokenURL, now.Unix(), now.Add(assertionLifetime).Unix()}
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, ts.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign assertion: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

type errorResponse struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// fetch exchanges a fresh assertion for a token, retrying network errors,
// 429 and 5xx.
func (ts *TokenSource) fetch(ctx context.Context) (string, time.Duration, error) {
	var last string
	for attempt := 1; ; attempt++ {
		form, err := ts.grant()
		if err != nil {
			return "", 0, fmt.Errorf("%w: %v", connectors.ErrUnauthorized, err)
		}
		status, body, err := ts.post(ctx, form)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return "", 0, fmt.Errorf("%w: token endpoint: %w", connectors.ErrUpstream, ctx.Err())
			}
			last = "request failed: " + describe(err)
		case status == http.StatusOK:
			var tr tokenResponse
			if err := json.Unmarshal(body, &tr); err != nil || strings.TrimSpace(tr.AccessToken) == "" {
				return "", 0, fmt.Errorf("%w: token endpoint answered 200 without an access_token", connectors.ErrUpstream)
			}
			if tt := strings.ToLower(tr.TokenType); tt != "" && tt != "bearer" {
				return "", 0, fmt.Errorf("%w: token endpoint answered token_type %q, want Bearer", connectors.ErrUpstream, tr.TokenType)
			}
			lifetime := time.Duration(tr.ExpiresIn) * time.Second
			if tr.ExpiresIn <= 0 || tr.ExpiresIn > 24*3600 {
				lifetime = 0 // not cached
			}
			return strings.TrimSpace(tr.AccessToken), lifetime, nil
		case status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden:
			return "", 0, fmt.Errorf("%w: token endpoint refused the credentials: %d %s%s", connectors.ErrUnauthorized, status, http.StatusText(status), oauthError(body))
		case status == http.StatusTooManyRequests || status >= 500:
			last = fmt.Sprintf("%d %s", status, http.StatusText(status))
		default:
			return "", 0, fmt.Errorf("%w: token endpoint: %d %s%s", connectors.ErrUpstream, status, http.StatusText(status), oauthError(body))
		}
		if attempt >= attempts {
			return "", 0, fmt.Errorf("%w: token endpoint: %s after %d attempts", connectors.ErrUpstream, last, attempt)
		}
		t := time.NewTimer(baseDelay << (attempt - 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return "", 0, fmt.Errorf("%w: token endpoint: %s, then %w while waiting to retry", connectors.ErrUpstream, last, ctx.Err())
		case <-t.C:
		}
	}
}

// grant returns the token request's form: a fresh assertion, or the
// refresh token.
func (ts *TokenSource) grant() (url.Values, error) {
	if ts.typ == TypeAuthorizedUser {
		return url.Values{
			"grant_type":    {grantRefreshToken},
			"client_id":     {ts.clientID},
			"client_secret": {ts.clientSecret},
			"refresh_token": {ts.refreshToken},
		}, nil
	}
	assertion, err := ts.Assertion(ts.now())
	if err != nil {
		return nil, err
	}
	return url.Values{"grant_type": {grantJWTBearer}, "assertion": {assertion}}, nil
}

func (ts *TokenSource) post(ctx context.Context, form url.Values) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ts.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "corridor")
	resp, err := ts.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}

// oauthError returns ": <error> (<description>)" from an OAuth error body,
// bounded, or "".
func oauthError(body []byte) string {
	var e errorResponse
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return ""
	}
	s := ": " + clip(e.Error, 64)
	if e.Description != "" {
		s += " (" + clip(e.Description, 200) + ")"
	}
	return s
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func parseKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("not a PEM block")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("a %T, want an RSA key", k)
		}
		return rk, nil
	}
	if rk, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return rk, nil
	}
	return nil, errors.New("not a PKCS#8 or PKCS#1 RSA private key")
}

func checkTokenURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return errors.New("not an absolute URL")
	case u.User != nil:
		return errors.New("must not carry credentials")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopback(u.Hostname()):
		return nil
	}
	return errors.New("must be https (http only on a loopback host)")
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// describe reports a transport error without the URL.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return err.Error()
}
