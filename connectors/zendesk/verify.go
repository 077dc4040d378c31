package zendesk

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// Headers Zendesk signs with.
const (
	// SignatureHeader carries base64(HMAC-SHA256(secret, timestamp + body)).
	SignatureHeader = "X-Zendesk-Webhook-Signature"
	// TimestampHeader carries the signing time in ISO 8601.
	TimestampHeader = "X-Zendesk-Webhook-Signature-Timestamp"
)

// Verify checks the signature over timestamp + raw body against every
// configured secret, then the timestamp against the tolerance. An
// unparsable timestamp is ErrSignatureInvalid.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("zendesk: verify: %w", sig.ErrNoSecret)
	}
	got, err := sig.Header(req, SignatureHeader)
	if err != nil {
		return fmt.Errorf("zendesk: verify: %w", err)
	}
	ts := req.Header.Get(TimestampHeader)
	if strings.TrimSpace(ts) == "" {
		return fmt.Errorf("zendesk: verify: %s header: %w", TimestampHeader, connectors.ErrSignatureMissing)
	}
	if err := sig.MatchAny(got, d.keys, sha256.New, sig.Base64, []byte(ts), req.Body); err != nil {
		return fmt.Errorf("zendesk: verify: %w", err)
	}
	at, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(ts))
	if err != nil {
		return fmt.Errorf("zendesk: verify: %s %q is not ISO 8601: %w", TimestampHeader, ts, connectors.ErrSignatureInvalid)
	}
	if err := sig.CheckTimestamp(at, d.now(), d.tol); err != nil {
		return fmt.Errorf("zendesk: verify: %w", err)
	}
	return nil
}

// Sign sets the signature and timestamp headers for req.Body at now with
// the first configured secret.
func (d *decoder) Sign(req *connectors.Request, now time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("zendesk: sign: %w", sig.ErrNoSecret)
	}
	ts := now.UTC().Format(time.RFC3339)
	sig.SetHeader(req, TimestampHeader, ts)
	sig.SetHeader(req, SignatureHeader, sig.Base64(sig.MAC(sha256.New, d.keys[0], []byte(ts), req.Body)))
	return nil
}
