package googleforms

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
)

// Verify checks the Standard Webhooks signature (webhook-id,
// webhook-timestamp, webhook-signature) against every configured secret,
// then the timestamp against the tolerance.
func (d *decoder) Verify(req connectors.Request) error {
	if err := d.sv.Verify(req); err != nil {
		return fmt.Errorf("googleforms: verify: %w", err)
	}
	return nil
}

// Sign signs req as the Apps Script does, with the first configured secret.
// A webhook-id already on the request is kept; otherwise it is the body's
// form_response.response_id (else event_id) with '.' replaced by '_', as
// the script sends it, or, for a body without either, one derived from the
// body.
func (d *decoder) Sign(req *connectors.Request, now time.Time) error {
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if strings.TrimSpace(req.Header.Get(stdwebhook.IDHeader)) == "" {
		if id := responseID(req.Body); id != "" {
			req.Header.Set(stdwebhook.IDHeader, id)
		}
	}
	if err := d.sv.Sign(req, now); err != nil {
		return fmt.Errorf("googleforms: sign: %w", err)
	}
	return nil
}

// responseID reads the message id the Apps Script would send for body, or
// "" when body is not our contract.
func responseID(body []byte) string {
	var p struct {
		EventID      any `json:"event_id"`
		FormResponse struct {
			ResponseID any `json:"response_id"`
		} `json:"form_response"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	for _, v := range []any{p.FormResponse.ResponseID, p.EventID} {
		if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
			return strings.ReplaceAll(strings.TrimSpace(s), ".", "_")
		}
	}
	return ""
}
