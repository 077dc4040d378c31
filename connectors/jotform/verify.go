package jotform

import (
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/sig"
)

// Verify checks that the request carries one of the configured secrets:
// the `token` query parameter of the webhook URL (Jotform cannot set
// headers), Authorization: Bearer or Basic, or X-Corridor-Token.
func (d *decoder) Verify(req connectors.Request) error {
	if len(d.secrets) == 0 {
		return fmt.Errorf("jotform: verify: %w", sig.ErrNoSecret)
	}
	if err := sig.Token(req, d.secrets); err != nil {
		return fmt.Errorf("jotform: verify: %w", err)
	}
	return nil
}

// Sign adds the first configured secret as the X-Corridor-Token header
// (tests and `corridor sign`; Jotform itself sends it as ?token= in the
// URL).
func (d *decoder) Sign(req *connectors.Request, _ time.Time) error {
	if len(d.secrets) == 0 {
		return fmt.Errorf("jotform: sign: %w", sig.ErrNoSecret)
	}
	sig.SetHeader(req, sig.TokenHeader, d.secrets[0])
	return nil
}
