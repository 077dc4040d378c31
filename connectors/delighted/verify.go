package delighted

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// SignatureHeader carries "sha256=" + hex(HMAC-SHA256(private API key, raw body)).
const SignatureHeader = "X-Delighted-Webhook-Signature"

const signaturePrefix = "sha256="

// Verify checks the X-Delighted-Webhook-Signature header against every
// configured secret. Delighted signs no timestamp, so no tolerance applies.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("delighted: verify: %w", sig.ErrNoSecret)
	}
	got, err := sig.Header(req, SignatureHeader)
	if err != nil {
		return fmt.Errorf("delighted: verify: %w", err)
	}
	hexSig, ok := strings.CutPrefix(got, signaturePrefix)
	if !ok || hexSig == "" {
		return fmt.Errorf("delighted: verify: %s header has no %q value: %w", SignatureHeader, signaturePrefix, connectors.ErrSignatureInvalid)
	}
	if err := sig.MatchAny(strings.ToLower(hexSig), d.keys, sha256.New, sig.Hex, req.Body); err != nil {
		return fmt.Errorf("delighted: verify: %w", err)
	}
	return nil
}

// Sign sets the X-Delighted-Webhook-Signature header for req.Body with the
// first configured secret. Delighted signs no timestamp, so now is unused.
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("delighted: sign: %w", sig.ErrNoSecret)
	}
	sig.SetHeader(req, SignatureHeader, signaturePrefix+sig.Hex(sig.MAC(sha256.New, d.keys[0], req.Body)))
	return nil
}
