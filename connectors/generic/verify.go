package generic

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// Standard Webhooks headers.
const (
	// IDHeader is the message id, the same across retries.
	IDHeader = "webhook-id"
	// TimestampHeader is the attempt time in Unix seconds.
	TimestampHeader = "webhook-timestamp"
	// SignatureHeader is a space-separated list of "v1,<base64>".
	SignatureHeader = "webhook-signature"
)

const (
	signatureVersion = "v1"
	// maxSignatures bounds how many header entries are tried.
	maxSignatures = 16
)

var errNoSecret = fmt.Errorf("%w: no secret configured", connectors.ErrSignatureInvalid)

// Verify checks the Standard Webhooks signature over "{id}.{timestamp}.{body}"
// against every configured secret, then the timestamp against the tolerance.
// A timestamp that is not an integer is ErrSignatureInvalid.
func (d *decoder) Verify(req connectors.Request) error {
	if err := d.verify(req); err != nil {
		return fmt.Errorf("generic: verify: %w", err)
	}
	return nil
}

func (d *decoder) verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return errNoSecret
	}
	id := strings.TrimSpace(req.Header.Get(IDHeader))
	ts := strings.TrimSpace(req.Header.Get(TimestampHeader))
	sigs := strings.Fields(req.Header.Get(SignatureHeader))
	switch {
	case len(sigs) == 0:
		return fmt.Errorf("%s header: %w", SignatureHeader, connectors.ErrSignatureMissing)
	case id == "":
		return fmt.Errorf("%s header: %w", IDHeader, connectors.ErrSignatureMissing)
	case ts == "":
		return fmt.Errorf("%s header: %w", TimestampHeader, connectors.ErrSignatureMissing)
	}
	if len(sigs) > maxSignatures {
		sigs = sigs[:maxSignatures]
	}
	parts := [][]byte{[]byte(id), []byte("."), []byte(ts), []byte("."), req.Body}
	matched, tried := false, 0
	for _, entry := range sigs {
		version, value, ok := strings.Cut(entry, ",")
		if !ok || version != signatureVersion || value == "" {
			continue // v1a (asymmetric) and unknown versions are not ours to check
		}
		tried++
		if sig.MatchAny(value, d.keys, sha256.New, sig.Base64, parts...) == nil {
			matched = true
			break
		}
	}
	if !matched {
		if tried == 0 {
			return fmt.Errorf("%s has no %s signature: %w", SignatureHeader, signatureVersion, connectors.ErrSignatureInvalid)
		}
		return connectors.ErrSignatureInvalid
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q is not Unix seconds: %w", TimestampHeader, ts, connectors.ErrSignatureInvalid)
	}
	return sig.CheckTimestamp(time.Unix(sec, 0), d.now(), d.tol)
}

// Sign sets webhook-id (kept if already set, else "msg_" + the first 16
// bytes of SHA-256(body) in hex, so a resend of the same body keeps its id),
// webhook-timestamp (now) and webhook-signature with the first configured
// secret.
func (d *decoder) Sign(req *connectors.Request, now time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("generic: sign: %w", errNoSecret)
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	id := strings.TrimSpace(req.Header.Get(IDHeader))
	if id == "" {
		sum := sha256.Sum256(req.Body)
		id = "msg_" + hex.EncodeToString(sum[:16])
	}
	if strings.Contains(id, ".") {
		return fmt.Errorf("generic: sign: %s %q must not contain '.': %w", IDHeader, id, connectors.ErrMalformed)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := sig.MAC(sha256.New, d.keys[0], []byte(id), []byte("."), []byte(ts), []byte("."), req.Body)
	req.Header.Set(IDHeader, id)
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, signatureVersion+","+sig.Base64(mac))
	return nil
}
