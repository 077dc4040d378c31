package stdwebhook

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
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

// SecretPrefix marks a Standard Webhooks secret: whsec_<base64 key>.
const SecretPrefix = "whsec_"

// Version is the signature identifier of the symmetric scheme.
const Version = "v1"

// MaxSignatures bounds how many webhook-signature entries are tried.
const MaxSignatures = 16

// ErrNoSecret is returned by Verify and Sign when no key is configured.
var ErrNoSecret = fmt.Errorf("%w: no secret configured", connectors.ErrSignatureInvalid)

// Key returns the HMAC key of a secret: the base64-decoded part after
// whsec_, or the secret's raw bytes when it has no such prefix.
func Key(secret string) ([]byte, error) {
	b64, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return []byte(secret), nil
	}
	k, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%s secret is not valid base64: %w", SecretPrefix, err)
	}
	if len(k) == 0 {
		return nil, fmt.Errorf("%s secret is empty", SecretPrefix)
	}
	return k, nil
}

// Keys returns the keys of secrets, in order; the error names the index of
// every secret that is not a valid key ("secrets[1]: ...").
func Keys(secrets []string) ([][]byte, error) {
	keys := make([][]byte, len(secrets))
	var errs []error
	for i, s := range secrets {
		k, err := Key(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("secrets[%d]: %w", i, err))
			continue
		}
		keys[i] = k
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

// Verifier verifies and signs Standard Webhooks requests.
type Verifier struct {
	// Keys are the HMAC keys tried in order (rotation); the first signs.
	Keys [][]byte
	// Tolerance is the replay window around Now. Zero means
	// connectors.DefaultTolerance.
	Tolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New returns a Verifier for the configured secrets, tolerance and clock
// of a source. It fails when a whsec_ secret is not valid base64.
func New(cfg connectors.SourceConfig, set connectors.Settings) (Verifier, error) {
	keys, err := Keys(cfg.Secrets)
	if err != nil {
		return Verifier{}, err
	}
	return Verifier{Keys: keys, Tolerance: cfg.ToleranceOrDefault(), Now: set.Clock()}, nil
}

func (v Verifier) tolerance() time.Duration {
	if v.Tolerance == 0 {
		return connectors.DefaultTolerance
	}
	return v.Tolerance
}

func (v Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

// Verify checks the signature over "{id}.{timestamp}.{body}" against every
// key, then the timestamp against the tolerance.
func (v Verifier) Verify(req connectors.Request) error {
	if len(v.Keys) == 0 {
		return ErrNoSecret
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
	if len(sigs) > MaxSignatures {
		sigs = sigs[:MaxSignatures]
	}
	parts := [][]byte{[]byte(id), []byte("."), []byte(ts), []byte("."), req.Body}
	matched, tried := false, 0
	for _, entry := range sigs {
		version, value, ok := strings.Cut(entry, ",")
		if !ok || version != Version || value == "" {
			continue // v1a (asymmetric) and unknown versions are not ours to check
		}
		tried++
		if sig.MatchAny(value, v.Keys, sha256.New, sig.Base64, parts...) == nil {
			matched = true
			break
		}
	}
	if !matched {
		if tried == 0 {
			return fmt.Errorf("%s has no %s signature: %w", SignatureHeader, Version, connectors.ErrSignatureInvalid)
		}
		return connectors.ErrSignatureInvalid
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q is not Unix seconds: %w", TimestampHeader, ts, connectors.ErrSignatureInvalid)
	}
	return sig.CheckTimestamp(time.Unix(sec, 0), v.now(), v.tolerance())
}

// Sign sets webhook-id (kept if already set, else MessageID(body)),
// webhook-timestamp (now) and webhook-signature with the first key.
func (v Verifier) Sign(req *connectors.Request, now time.Time) error {
	if len(v.Keys) == 0 {
		return ErrNoSecret
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	id := strings.TrimSpace(req.Header.Get(IDHeader))
	if id == "" {
		id = MessageID(req.Body)
	}
	if strings.Contains(id, ".") {
		return fmt.Errorf("%s %q must not contain '.': %w", IDHeader, id, connectors.ErrMalformed)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set(IDHeader, id)
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Signature(v.Keys[0], id, ts, req.Body))
	return nil
}

// Signature returns the header value "v1,<base64 HMAC-SHA256>" of one
// message under key.
func Signature(key []byte, id, ts string, body []byte) string {
	return Version + "," + sig.Base64(sig.MAC(sha256.New, key, []byte(id), []byte("."), []byte(ts), []byte("."), body))
}

// MessageID derives a message id from a body: "msg_" + the hex of the first
// 16 bytes of SHA-256(body), so a resend of the same body keeps its id.
func MessageID(body []byte) string {
	sum := sha256.Sum256(body)
	return "msg_" + hex.EncodeToString(sum[:16])
}
