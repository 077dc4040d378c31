package sig

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/corridorhq/corridor/connectors"
)

// TokenHeader is the header vendors without signatures can be told to send
// (Freshdesk custom headers, our Apps Script sender).
const TokenHeader = "X-Corridor-Token"

// Token authenticates vendors that sign nothing (Freshdesk, Jotform): the
// request must carry one of the secrets as `Authorization: Bearer <secret>`,
// as the password (or "user:password") of `Authorization: Basic`, in the
// X-Corridor-Token header, or as the `token` query parameter of the URI (for
// vendors that cannot set headers). Comparisons are constant-time.
func Token(req connectors.Request, secrets []string) error {
	var candidates []string
	if auth := req.Header.Get("Authorization"); auth != "" {
		scheme, rest, _ := strings.Cut(auth, " ")
		switch strings.ToLower(scheme) {
		case "bearer", "token":
			candidates = append(candidates, strings.TrimSpace(rest))
		case "basic":
			if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest)); err == nil {
				_, pass, _ := strings.Cut(string(dec), ":")
				candidates = append(candidates, string(dec), pass)
			}
		}
	}
	if v := req.Header.Get(TokenHeader); v != "" {
		candidates = append(candidates, v)
	}
	if _, q, ok := strings.Cut(req.URI, "?"); ok {
		if vals, err := url.ParseQuery(q); err == nil && vals.Get("token") != "" {
			candidates = append(candidates, vals.Get("token"))
		}
	}
	if len(candidates) == 0 {
		return connectors.ErrSignatureMissing
	}
	for _, c := range candidates {
		for _, s := range secrets {
			if subtle.ConstantTimeCompare([]byte(c), []byte(s)) == 1 {
				return nil
			}
		}
	}
	return connectors.ErrSignatureInvalid
}

// SetToken adds the first secret to h the way Token accepts it.
func SetToken(h http.Header, secrets []string) {
	if len(secrets) > 0 {
		h.Set(TokenHeader, secrets[0])
	}
}
