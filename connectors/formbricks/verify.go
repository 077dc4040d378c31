package formbricks

import (
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
)

// Verify checks the Standard Webhooks signature (webhook-id,
// webhook-timestamp, webhook-signature) against every configured secret,
// then the timestamp against the tolerance.
func (d *decoder) Verify(req connectors.Request) error {
	if err := d.sv.Verify(req); err != nil {
		return fmt.Errorf("formbricks: verify: %w", err)
	}
	return nil
}

// Sign signs req as Formbricks does, with the first configured secret. A
// webhook-id already on the request is kept; otherwise one is derived from
// the body.
func (d *decoder) Sign(req *connectors.Request, now time.Time) error {
	if err := d.sv.Sign(req, now); err != nil {
		return fmt.Errorf("formbricks: sign: %w", err)
	}
	return nil
}
