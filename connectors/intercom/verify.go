package intercom

import (
	"crypto/sha1" //nolint:gosec // Intercom signs with HMAC-SHA1; HMAC-SHA1 is not broken.
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// SignatureHeader carries "sha1=" + hex(HMAC-SHA1(client_secret, raw body)).
const SignatureHeader = "X-Hub-Signature"

const signaturePrefix = "sha1"

// Verify checks the signature over the raw body against every configured
// secret (the app's client_secret). The hex digest is compared
// case-insensitively; a value without the sha1= prefix is invalid.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("intercom: verify: %w", sig.ErrNoSecret)
	}
	got, err := sig.Header(req, SignatureHeader)
	if err != nil {
		return fmt.Errorf("intercom: verify: %w", err)
	}
	algo, digest, ok := strings.Cut(got, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(algo), signaturePrefix) || strings.TrimSpace(digest) == "" {
		return fmt.Errorf("intercom: verify: %s is not sha1=<hex>: %w", SignatureHeader, connectors.ErrSignatureInvalid)
	}
	if err := sig.MatchAny(strings.ToLower(strings.TrimSpace(digest)), d.keys, sha1.New, sig.Hex, req.Body); err != nil {
		return fmt.Errorf("intercom: verify: %w", err)
	}
	return nil
}

// Sign sets X-Hub-Signature for req.Body with the first configured secret.
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("intercom: sign: %w", sig.ErrNoSecret)
	}
	sig.SetHeader(req, SignatureHeader, signaturePrefix+"="+sig.Hex(sig.MAC(sha1.New, d.keys[0], req.Body)))
	return nil
}
