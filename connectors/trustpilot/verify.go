package trustpilot

import (
	"fmt"
	"net/http"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// Verify checks that the request carries one of the configured secrets.
// Trustpilot documents no webhook signature, so the subscription URL
// carries a shared token: ?token=<secret> in the URL (or Basic
// credentials, Bearer, or the X-Corridor-Token header from a proxy).
// Comparisons are constant-time. The body is not covered: use HTTPS.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.secrets) == 0 {
		return fmt.Errorf("trustpilot: verify: %w: %w", connectors.ErrSignatureInvalid, errNoSecret)
	}
	if err := sig.Token(req, d.secrets); err != nil {
		return fmt.Errorf("trustpilot: verify: %w", err)
	}
	return nil
}

// Sign sets the X-Corridor-Token header to the first configured secret
// (tests and `corridor sign`; Trustpilot itself sends the token in the
// URL).
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.secrets) == 0 {
		return fmt.Errorf("trustpilot: sign: %w: %w", connectors.ErrSignatureInvalid, errNoSecret)
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	sig.SetToken(req.Header, d.secrets)
	return nil
}
