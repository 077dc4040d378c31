package front

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
	"github.com/corridorhq/corridor/connectors/internal/wire"
)

// Headers Front signs with.
const (
	// SignatureHeader carries base64(HMAC-SHA256(app signing key,
	// timestamp + ":" + body)).
	SignatureHeader = "X-Front-Signature"
	// TimestampHeader carries the signing time in Unix milliseconds.
	TimestampHeader = "X-Front-Request-Timestamp"
	// ChallengeHeader carries the random string of the validation request
	// Front sends when an application webhook is saved.
	ChallengeHeader = "X-Front-Challenge"
)

// maxChallengeLen bounds the challenge we echo.
const maxChallengeLen = 512

// Verify checks the signature over timestamp + ":" + raw body against
// every configured secret, then the timestamp against the tolerance, in
// either direction. An unparsable timestamp is ErrSignatureInvalid.
func (d *decoder) Verify(req connectors.Request) error {
	if err := d.verify(req); err != nil {
		return fmt.Errorf("front: verify: %w", err)
	}
	return nil
}

func (d *decoder) verify(req connectors.Request) error {
	if len(d.keys) == 0 {
		return sig.ErrNoSecret
	}
	got, err := sig.Header(req, SignatureHeader)
	if err != nil {
		return err
	}
	ts, err := sig.Header(req, TimestampHeader)
	if err != nil {
		return err
	}
	if err := sig.MatchAny(got, d.keys, sha256.New, sig.Base64, []byte(ts), []byte(":"), req.Body); err != nil {
		return err
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms <= 0 || ms > wire.MaxUnixMillis {
		return fmt.Errorf("%s %.40q is not Unix milliseconds: %w", TimestampHeader, ts, connectors.ErrSignatureInvalid)
	}
	return sig.CheckTimestamp(time.UnixMilli(ms), d.now(), d.tol)
}

// Sign sets the signature and timestamp headers for req.Body at now with
// the first configured secret.
func (d *decoder) Sign(req *connectors.Request, now time.Time) error {
	if len(d.keys) == 0 {
		return fmt.Errorf("front: sign: %w", sig.ErrNoSecret)
	}
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	sig.SetHeader(req, TimestampHeader, ts)
	sig.SetHeader(req, SignatureHeader, sig.Base64(sig.MAC(sha256.New, d.keys[0], []byte(ts), []byte(":"), req.Body)))
	return nil
}

// Handshake answers Front's validation request: when x-front-challenge is
// present it verifies the request's signature (Front signs it like any
// event) and answers 200 with {"challenge": "<value>"} as JSON and the
// value echoed in the x-front-challenge header. Ordinary requests return
// ok=false. A failed verification returns ok=true and the Verify error.
func (d *decoder) Handshake(req connectors.Request) (connectors.Response, bool, error) {
	challenge := req.Header.Get(ChallengeHeader)
	if challenge == "" {
		return connectors.Response{}, false, nil
	}
	if err := d.Verify(req); err != nil {
		return connectors.Response{}, true, err
	}
	if len(challenge) > maxChallengeLen || !visibleASCII(challenge) {
		return connectors.Response{}, true, fmt.Errorf("front: handshake: %w", connectors.Malformedf("%s is not up to %d visible ASCII characters", ChallengeHeader, maxChallengeLen))
	}
	body, err := json.Marshal(struct {
		Challenge string `json:"challenge"`
	}{challenge})
	if err != nil {
		return connectors.Response{}, true, fmt.Errorf("front: handshake: %w", connectors.Malformedf("challenge: %v", err))
	}
	h := http.Header{}
	h.Set(ChallengeHeader, challenge)
	return connectors.Response{Status: http.StatusOK, ContentType: "application/json", Header: h, Body: body}, true, nil
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
