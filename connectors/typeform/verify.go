package typeform

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// SignatureHeader carries "sha256=" + base64(HMAC-SHA256(secret, raw body)).
const SignatureHeader = "Typeform-Signature"

const signaturePrefix = "sha256="

// Verify checks the Typeform-Signature header against every configured
// secret. Typeform signs no timestamp, so no tolerance applies.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("typeform: verify: %w", sig.ErrNoSecret)
	}
	got, err := sig.Header(req, SignatureHeader)
	if err != nil {
		return fmt.Errorf("typeform: verify: %w", err)
	}
	b64, ok := strings.CutPrefix(got, signaturePrefix)
	if !ok || b64 == "" {
		return fmt.Errorf("typeform: verify: %s header has no %q value: %w", SignatureHeader, signaturePrefix, connectors.ErrSignatureInvalid)
	}
	if err := sig.MatchAny(b64, d.keys, sha256.New, sig.Base64, req.Body); err != nil {
		return fmt.Errorf("typeform: verify: %w", err)
	}
	return nil
}

// Sign sets the Typeform-Signature header for req.Body with the first
// configured secret. Typeform signs no timestamp, so now is unused.
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("typeform: sign: %w", sig.ErrNoSecret)
	}
	sig.SetHeader(req, SignatureHeader, signaturePrefix+sig.Base64(sig.MAC(sha256.New, d.keys[0], req.Body)))
	return nil
}
