package jira

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// SignatureHeader carries sha256=<hex HMAC-SHA256(secret, raw body)>
// (WebSub).
const SignatureHeader = "X-Hub-Signature"

const signaturePrefix = "sha256="

// Verify checks X-Hub-Signature against every configured secret. Jira
// only signs when the webhook has a secret, so an admin must set one;
// an unsigned request is ErrSignatureMissing.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("jira: verify: %w", sig.ErrNoSecret)
	}
	got := strings.TrimSpace(req.Header.Get(SignatureHeader))
	if got == "" {
		return fmt.Errorf("jira: verify: %s header (set a secret on the Jira webhook): %w", SignatureHeader, connectors.ErrSignatureMissing)
	}
	alg, hexSig, ok := strings.Cut(got, "=")
	if !ok || !strings.EqualFold(alg, "sha256") || hexSig == "" {
		return fmt.Errorf("jira: verify: %s %.16q: want sha256=<hex>: %w", SignatureHeader, got, connectors.ErrSignatureInvalid)
	}
	if err := sig.MatchAny(strings.ToLower(hexSig), d.keys, sha256.New, sig.Hex, req.Body); err != nil {
		return fmt.Errorf("jira: verify: %w", err)
	}
	return nil
}

// Sign sets X-Hub-Signature for req.Body with the first configured secret.
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("jira: sign: %w", sig.ErrNoSecret)
	}
	sig.SetHeader(req, SignatureHeader, signaturePrefix+sig.Hex(sig.MAC(sha256.New, d.keys[0], req.Body)))
	return nil
}
