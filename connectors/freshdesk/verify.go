package freshdesk

import (
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// Verify checks that the request carries one of the configured secrets:
// Freshdesk signs nothing, so the automation rule sends a shared token, as
// the X-Corridor-Token custom header, Basic auth (the secret as password)
// or Bearer auth, or as the `token` query parameter of the callback URL.
// Comparisons are constant-time. The body is not covered: use HTTPS.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.secrets) == 0 {
		return fmt.Errorf("freshdesk: verify: %w", sig.ErrNoSecret)
	}
	if err := sig.Token(req, d.secrets); err != nil {
		return fmt.Errorf("freshdesk: verify: %w", err)
	}
	return nil
}

// Sign sets the X-Corridor-Token header to the first configured secret, as
// the tenant's automation rule would.
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.secrets) == 0 {
		return fmt.Errorf("freshdesk: sign: %w", sig.ErrNoSecret)
	}
	sig.SetHeader(req, sig.TokenHeader, d.secrets[0])
	return nil
}
