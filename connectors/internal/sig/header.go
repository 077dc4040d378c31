package sig

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/corridorhq/corridor/connectors"
)

// ErrNoSecret is what verifiers and signers of a source configured
// without a secret return (wrapped with the vendor's prefix).
var ErrNoSecret = fmt.Errorf("%w: no secret configured", connectors.ErrSignatureInvalid)

// Header returns the trimmed value of the request header name, or an error
// wrapping ErrSignatureMissing ("<name> header: …") when it is absent or
// blank.
func Header(req connectors.Request, name string) (string, error) {
	v := strings.TrimSpace(req.Header.Get(name))
	if v == "" {
		return "", fmt.Errorf("%s header: %w", name, connectors.ErrSignatureMissing)
	}
	return v, nil
}

// SetHeader sets the header name of req to value, creating req.Header
// when it is nil.
func SetHeader(req *connectors.Request, name, value string) {
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set(name, value)
}
