package qualtrics

import (
	"crypto/sha512"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// Verify checks the HMAC form field, hex(HMAC-SHA512(sharedKey, MSG value)),
// against every configured secret (the subscription's sharedKey). The body
// is read as a form whatever the content type (Decode checks that); a body
// that is not a form, or repeats MSG or HMAC, is ErrSignatureInvalid. The
// Topic field is not signed.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("qualtrics: verify: %w", sig.ErrNoSecret)
	}
	vals, err := connectors.DecodeForm(connectors.Request{ContentType: ContentType, Body: req.Body})
	if err != nil {
		// %v: the error must wrap only the signature sentinel.
		return fmt.Errorf("qualtrics: verify: %w: body is not a form: %v", connectors.ErrSignatureInvalid, err)
	}
	got := vals[FieldHMAC]
	if len(got) == 0 || strings.TrimSpace(got[0]) == "" {
		return fmt.Errorf("qualtrics: verify: form field %s: %w", FieldHMAC, connectors.ErrSignatureMissing)
	}
	if len(got) > 1 || len(vals[FieldMSG]) > 1 {
		return fmt.Errorf("qualtrics: verify: %w: form field %s or %s repeated", connectors.ErrSignatureInvalid, FieldHMAC, FieldMSG)
	}
	mac := strings.ToLower(strings.TrimSpace(got[0]))
	if err := sig.MatchAny(mac, d.keys, sha512.New, sig.Hex, []byte(vals.Get(FieldMSG))); err != nil {
		return fmt.Errorf("qualtrics: verify: %w", err)
	}
	return nil
}

// Sign sets the HMAC form field for the MSG field of req.Body with the
// first configured secret. Qualtrics signs inside the body, so Sign
// rewrites req.Body: existing HMAC fields are removed and one is appended;
// the other fields keep their bytes and order.
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("qualtrics: sign: %w", sig.ErrNoSecret)
	}
	vals, _ := url.ParseQuery(string(req.Body)) // best effort; Verify judges
	mac := sig.Hex(sig.MAC(sha512.New, d.keys[0], []byte(vals.Get(FieldMSG))))
	var kept []string
	for _, pair := range strings.Split(string(req.Body), "&") {
		if pair == "" {
			continue
		}
		k, _, _ := strings.Cut(pair, "=")
		if key, err := url.QueryUnescape(k); err == nil && key == FieldHMAC {
			continue
		}
		kept = append(kept, pair)
	}
	kept = append(kept, FieldHMAC+"="+mac)
	req.Body = []byte(strings.Join(kept, "&"))
	return nil
}
