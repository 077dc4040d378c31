package formbricks

import (
	"bytes"
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
)

// testPing is the body of the "Test Endpoint" request Formbricks sends
// before it saves a webhook. It is unsigned in older versions, and newer
// ones sign it with a secret the user is shown only after the test passed,
// so no configured secret can match it.
var testPing = []byte(`{"event":"testEndpoint"}`)

// Verify checks the Standard Webhooks signature (webhook-id,
// webhook-timestamp, webhook-signature) against every configured secret,
// then the timestamp against the tolerance. The test ping is let through
// whatever its signature: it carries no data, and Decode ignores it.
func (d *decoder) Verify(req connectors.Request) error {
	if bytes.Equal(bytes.TrimSpace(req.Body), testPing) {
		return nil
	}
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
