package sig

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"time"

	"github.com/corridorhq/corridor/connectors"
)

// MAC computes HMAC(newHash, key) over the concatenation of parts.
func MAC(newHash func() hash.Hash, key []byte, parts ...[]byte) []byte {
	m := hmac.New(newHash, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// Encoding turns a MAC into the text a vendor sends.
type Encoding func([]byte) string

// Encodings vendors use.
var (
	Hex    Encoding = hex.EncodeToString
	Base64 Encoding = base64.StdEncoding.EncodeToString
)

// MatchAny reports nil when got equals, in constant time, the encoded MAC of
// parts under any of the keys; otherwise ErrSignatureInvalid (or
// ErrSignatureMissing when got is empty).
func MatchAny(got string, keys [][]byte, newHash func() hash.Hash, enc Encoding, parts ...[]byte) error {
	if got == "" {
		return connectors.ErrSignatureMissing
	}
	for _, k := range keys {
		want := enc(MAC(newHash, k, parts...))
		if hmac.Equal([]byte(got), []byte(want)) {
			return nil
		}
	}
	return connectors.ErrSignatureInvalid
}

// Keys converts secrets to HMAC keys.
func Keys(secrets []string) [][]byte {
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		keys[i] = []byte(s)
	}
	return keys
}

// CheckTimestamp returns ErrTimestampStale when ts is further than tol from
// now, in either direction.
func CheckTimestamp(ts, now time.Time, tol time.Duration) error {
	d := now.Sub(ts)
	if d < 0 {
		d = -d
	}
	if d > tol {
		return fmt.Errorf("%w: %s is %s from now, tolerance %s", connectors.ErrTimestampStale, ts.UTC().Format(time.RFC3339), d.Round(time.Second), tol)
	}
	return nil
}
