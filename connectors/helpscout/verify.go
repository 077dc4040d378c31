package helpscout

import (
	"crypto/sha1" //nolint:gosec // Help Scout signs with HMAC-SHA1; HMAC-SHA1 is not broken.
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// Headers Help Scout sends.
const (
	// SignatureHeader carries base64(HMAC-SHA1(secret, raw body)).
	SignatureHeader = "X-HelpScout-Signature"
	// EventHeader names the event (convo.created, satisfaction.ratings, …).
	EventHeader = "X-HelpScout-Event"
)

// Verify checks the signature over the raw body against every configured
// secret (the secret set on the webhook, at most 40 characters).
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("helpscout: verify: %w", sig.ErrNoSecret)
	}
	got, err := sig.Header(req, SignatureHeader)
	if err != nil {
		return fmt.Errorf("helpscout: verify: %w", err)
	}
	if err := sig.MatchAny(got, d.keys, sha1.New, sig.Base64, req.Body); err != nil {
		return fmt.Errorf("helpscout: verify: %w", err)
	}
	return nil
}

// Sign sets X-HelpScout-Signature for req.Body with the first configured
// secret. It does not set X-HelpScout-Event, which the decoder then infers.
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("helpscout: sign: %w", sig.ErrNoSecret)
	}
	sig.SetHeader(req, SignatureHeader, sig.Base64(sig.MAC(sha1.New, d.keys[0], req.Body)))
	return nil
}
