package generic

import (
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
)

// Standard Webhooks headers.
const (
	// IDHeader is the message id, the same across retries.
	IDHeader = stdwebhook.IDHeader
	// TimestampHeader is the attempt time in Unix seconds.
	TimestampHeader = stdwebhook.TimestampHeader
	// SignatureHeader is a space-separated list of "v1,<base64>".
	SignatureHeader = stdwebhook.SignatureHeader
)

// verifier is the Standard Webhooks verifier of d's keys, tolerance and clock.
func (d *decoder) verifier() stdwebhook.Verifier {
	return stdwebhook.Verifier{Keys: d.keys, Tolerance: d.tol, Now: d.now}
}

// Verify checks the Standard Webhooks signature over "{id}.{timestamp}.{body}"
// against every configured secret, then the timestamp against the tolerance.
// A timestamp that is not an integer is ErrSignatureInvalid.
func (d *decoder) Verify(req connectors.Request) error {
	if err := d.verifier().Verify(req); err != nil {
		return fmt.Errorf("generic: verify: %w", err)
	}
	return nil
}

// Sign sets webhook-id (kept if already set, else "msg_" + the first 16
// bytes of SHA-256(body) in hex, so a resend of the same body keeps its id),
// webhook-timestamp (now) and webhook-signature with the first configured
// secret.
func (d *decoder) Sign(req *connectors.Request, now time.Time) error {
	if err := d.verifier().Sign(req, now); err != nil {
		return fmt.Errorf("generic: sign: %w", err)
	}
	return nil
}
