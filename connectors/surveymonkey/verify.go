package surveymonkey

import (
	"crypto/sha1" //nolint:gosec // SurveyMonkey signs with HMAC-SHA1.
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// Headers SurveyMonkey sends with each callback.
const (
	// SignatureHeader carries base64(HMAC-SHA1("<client_id>&<client_secret>", raw body)).
	SignatureHeader = "Sm-Signature"
	// APIKeyHeader carries the app's client id (API key). It is not secret
	// and not checked; Sign sets it.
	APIKeyHeader = "Sm-Apikey"
)

// Verify checks Sm-Signature over the raw body against every configured
// secret. Each secret is the whole "<client_id>&<client_secret>" string
// (the HMAC key), exactly as SurveyMonkey builds it.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("surveymonkey: verify: %w", sig.ErrNoSecret)
	}
	got, err := sig.Header(req, SignatureHeader)
	if err != nil {
		return fmt.Errorf("surveymonkey: verify: %w", err)
	}
	if err := sig.MatchAny(got, d.keys, sha1.New, sig.Base64, req.Body); err != nil {
		return fmt.Errorf("surveymonkey: verify: %w", err)
	}
	return nil
}

// Sign sets Sm-Signature for req.Body with the first configured secret, and
// Sm-Apikey to the client id part of that secret (before the '&').
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("surveymonkey: sign: %w", sig.ErrNoSecret)
	}
	sig.SetHeader(req, SignatureHeader, sig.Base64(sig.MAC(sha1.New, d.keys[0], req.Body)))
	if clientID, _, ok := strings.Cut(string(d.keys[0]), "&"); ok && clientID != "" {
		sig.SetHeader(req, APIKeyHeader, clientID)
	}
	return nil
}
