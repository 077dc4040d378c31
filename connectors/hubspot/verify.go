package hubspot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/wire"
)

// Headers HubSpot signs with.
const (
	// SignatureV3Header carries base64(HMAC-SHA256(client secret,
	// method + URI + body + timestamp)).
	SignatureV3Header = "X-HubSpot-Signature-v3"
	// TimestampHeader carries the signing time in Unix milliseconds.
	TimestampHeader = "X-HubSpot-Request-Timestamp"
	// SignatureHeader carries the legacy v1 (or v2) signature: hex
	// SHA-256 of client secret + body (v1).
	SignatureHeader = "X-HubSpot-Signature"
	// SignatureVersionHeader names the legacy signature's version.
	SignatureVersionHeader = "X-HubSpot-Signature-Version"
)

// uriDecoder decodes the percent-encodings HubSpot's v3 instructions list
// (and only those) before the URI is signed.
var uriDecoder = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

// Verify checks the v3 signature over method + URI + raw body + timestamp
// against every configured secret, then the timestamp against the
// tolerance. The URI is tried with HubSpot's listed percent-encodings
// decoded and, when that differs, as received. Without a v3 signature, a
// legacy v1 signature is accepted only when allow_v1 is set.
func (d *decoder) Verify(req connectors.Request) error {
	if err := d.verify(req); err != nil {
		return fmt.Errorf("hubspot: verify: %w", err)
	}
	return nil
}

func (d *decoder) verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return sig.ErrNoSecret
	}
	if got := strings.TrimSpace(req.Header.Get(SignatureV3Header)); got != "" {
		return d.verifyV3(req, got)
	}
	legacy := strings.TrimSpace(req.Header.Get(SignatureHeader))
	switch {
	case legacy != "" && d.allowV1:
		return d.verifyV1(req, legacy)
	case legacy != "":
		return fmt.Errorf("%s header: %w (a legacy %s is present but option %s is off)", SignatureV3Header, connectors.ErrSignatureMissing, SignatureHeader, OptionAllowV1)
	}
	return fmt.Errorf("%s header: %w", SignatureV3Header, connectors.ErrSignatureMissing)
}

func (d *decoder) verifyV3(req connectors.Request, got string) error {
	ts := strings.TrimSpace(req.Header.Get(TimestampHeader))
	if ts == "" {
		return fmt.Errorf("%s header: %w", TimestampHeader, connectors.ErrSignatureMissing)
	}
	method := requestMethod(req)
	decoded, raw := d.uris(req)
	err := sig.MatchAny(got, d.keys, sha256.New, sig.Base64, []byte(method), []byte(decoded), req.Body, []byte(ts))
	if err != nil && raw != decoded {
		err = sig.MatchAny(got, d.keys, sha256.New, sig.Base64, []byte(method), []byte(raw), req.Body, []byte(ts))
	}
	if err != nil {
		if d.publicURL == "" && !isAbsolute(req.URI) {
			return fmt.Errorf("%w (option %s is not set, so the URI signed was only the path %q)", err, OptionPublicURL, req.URI)
		}
		return err
	}
	ms, perr := strconv.ParseInt(ts, 10, 64)
	if perr != nil || ms <= 0 || ms > wire.MaxUnixMillis {
		return fmt.Errorf("%s %.40q is not Unix milliseconds: %w", TimestampHeader, ts, connectors.ErrSignatureInvalid)
	}
	return sig.CheckTimestamp(time.UnixMilli(ms), d.now(), d.tol)
}

// verifyV1 checks hex(SHA-256(client secret + body)), the legacy scheme
// HubSpot marks with X-HubSpot-Signature-Version: v1. It signs no
// timestamp, so an intercepted request verifies forever.
func (d *decoder) verifyV1(req connectors.Request, got string) error {
	if v := strings.TrimSpace(req.Header.Get(SignatureVersionHeader)); !strings.EqualFold(v, "v1") {
		return fmt.Errorf("%s %.10q: only v1 legacy signatures are accepted: %w", SignatureVersionHeader, v, connectors.ErrSignatureInvalid)
	}
	gotLower := []byte(strings.ToLower(got))
	for _, s := range d.secrets {
		h := sha256.New()
		h.Write([]byte(s))
		h.Write(req.Body)
		if hmac.Equal(gotLower, []byte(hex.EncodeToString(h.Sum(nil)))) {
			return nil
		}
	}
	return connectors.ErrSignatureInvalid
}

// Sign sets the v3 signature and timestamp headers for req at now with the
// first configured secret, over the URI as HubSpot signs it (decoded).
func (d *decoder) Sign(req *connectors.Request, now time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("hubspot: sign: %w", sig.ErrNoSecret)
	}
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	decoded, _ := d.uris(*req)
	sig.SetHeader(req, TimestampHeader, ts)
	sig.SetHeader(req, SignatureV3Header, sig.Base64(sig.MAC(sha256.New, d.keys[0], []byte(requestMethod(*req)), []byte(decoded), req.Body, []byte(ts))))
	return nil
}

// uris returns the full URL HubSpot called, with its listed
// percent-encodings decoded and as received: public_url followed by the
// request's path and query, or the request URI itself when absolute.
func (d *decoder) uris(req connectors.Request) (decoded, raw string) {
	raw = req.URI
	if !isAbsolute(raw) {
		raw = d.publicURL + raw
	}
	return uriDecoder.Replace(raw), raw
}

func isAbsolute(uri string) bool {
	return strings.HasPrefix(uri, "https://") || strings.HasPrefix(uri, "http://")
}

func requestMethod(req connectors.Request) string {
	if req.Method == "" {
		return http.MethodPost
	}
	return strings.ToUpper(req.Method)
}
