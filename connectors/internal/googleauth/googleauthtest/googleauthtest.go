package googleauthtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Email is the fake service account's client_email.
const Email = "corridor-poller@corridor-test.iam.gserviceaccount.com"

// KeyID is the fake service account's private_key_id.
const KeyID = "0123456789abcdef"

// The fake authorized user's OAuth client and refresh token.
const (
	ClientID     = "123456789012-corridor.apps.googleusercontent.com"
	ClientSecret = "GOCSPX-test-secret"
	RefreshToken = "1//0g-test-refresh-token"
)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

// Key returns the fake service account's RSA key, generated once per test
// binary.
func Key() *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		key = k
	})
	return key
}

// Server is a fake token endpoint.
type Server struct {
	*httptest.Server
	// Scope is the scope every assertion must request.
	Scope string
	// Calls counts token requests.
	Calls atomic.Int32
	// Refuse makes the endpoint answer 400 invalid_grant.
	Refuse atomic.Bool
	// ExpiresIn is the lifetime of issued tokens in seconds. Default: 3600.
	ExpiresIn atomic.Int64
}

// NewServer starts a token endpoint that requires scope; it stops with t.
func NewServer(t testing.TB, scope string) *Server {
	t.Helper()
	s := &Server{Scope: scope}
	s.ExpiresIn.Store(3600)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Token returns the access token the n-th request (from 1) is answered with.
func Token(n int32) string { return fmt.Sprintf("ya29.test-token-%d", n) }

// ServiceAccountJSON returns a key file whose token_uri is the server.
func (s *Server) ServiceAccountJSON() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(Key())
	if err != nil {
		panic(err)
	}
	b, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "corridor-test",
		"private_key_id": KeyID,
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   Email,
		"client_id":      "100000000000000000001",
		"token_uri":      s.URL + "/token",
	})
	if err != nil {
		panic(err)
	}
	return b
}

// AuthorizedUserJSON returns an authorized user's credentials file (as
// gcloud writes it) whose token_uri is the server.
func (s *Server) AuthorizedUserJSON() []byte {
	b, err := json.Marshal(map[string]string{
		"type":          "authorized_user",
		"client_id":     ClientID,
		"client_secret": ClientSecret,
		"refresh_token": RefreshToken,
		"token_uri":     s.URL + "/token",
	})
	if err != nil {
		panic(err)
	}
	return b
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	n := s.Calls.Add(1)
	fail := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/token" {
		fail(http.StatusNotFound, "not_found", r.Method+" "+r.URL.Path)
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "invalid_request", "form")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		if err := s.check(r.PostForm.Get("assertion")); err != nil {
			fail(http.StatusBadRequest, "invalid_grant", err.Error())
			return
		}
	case "refresh_token":
		if r.PostForm.Get("client_id") != ClientID || r.PostForm.Get("client_secret") != ClientSecret {
			fail(http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
			return
		}
		if r.PostForm.Get("refresh_token") != RefreshToken {
			fail(http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
			return
		}
	default:
		fail(http.StatusBadRequest, "unsupported_grant_type", r.PostForm.Get("grant_type"))
		return
	}
	if s.Refuse.Load() {
		fail(http.StatusBadRequest, "invalid_grant", "Invalid JWT Signature.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": Token(n), "expires_in": s.ExpiresIn.Load(), "token_type": "Bearer"})
}

// check verifies the assertion's signature and claims.
func (s *Server) check(assertion string) error {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return fmt.Errorf("assertion has %d parts", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&Key().PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	var header struct{ Alg, Typ, Kid string }
	if err := decodePart(parts[0], &header); err != nil {
		return err
	}
	if header.Alg != "RS256" || header.Kid != KeyID {
		return fmt.Errorf("header %+v", header)
	}
	var c struct {
		Iss, Scope, Aud string
		Iat, Exp        int64
	}
	if err := decodePart(parts[1], &c); err != nil {
		return err
	}
	switch {
	case c.Iss != Email:
		return fmt.Errorf("iss %q", c.Iss)
	case c.Aud != s.URL+"/token":
		return fmt.Errorf("aud %q", c.Aud)
	case c.Scope != s.Scope:
		return fmt.Errorf("scope %q, want %q", c.Scope, s.Scope)
	case c.Exp <= c.Iat || c.Exp-c.Iat > 3600:
		return fmt.Errorf("lifetime %ds", c.Exp-c.Iat)
	}
	return nil
}

func decodePart(p string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
