package connectors

import (
	"encoding/json"
	"fmt"
	"strings"
)

// MaxJSONDepth bounds the nesting of JSON payloads; deeper ones are malformed.
const MaxJSONDepth = 64

// RequireMediaType returns ErrUnsupportedMediaType unless req.ContentType is
// one of types. A type ending in "+json" counts as application/json.
func RequireMediaType(req Request, types ...string) error {
	ct := req.ContentType
	if strings.HasSuffix(ct, "+json") {
		ct = "application/json"
	}
	for _, t := range types {
		if ct == t {
			return nil
		}
	}
	if req.ContentType == "" {
		return fmt.Errorf("%w: no Content-Type, want %s", ErrUnsupportedMediaType, strings.Join(types, " or "))
	}
	return fmt.Errorf("%w: %q, want %s", ErrUnsupportedMediaType, req.ContentType, strings.Join(types, " or "))
}

// DecodeJSON checks that req is application/json, bounds its nesting and
// unmarshals it into v. Errors wrap ErrUnsupportedMediaType or ErrMalformed.
func DecodeJSON(req Request, v any) error {
	if err := RequireMediaType(req, "application/json"); err != nil {
		return err
	}
	if err := checkDepth(req.Body, MaxJSONDepth); err != nil {
		return err
	}
	if err := json.Unmarshal(req.Body, v); err != nil {
		return Malformedf("invalid JSON: %v", err)
	}
	return nil
}

// checkDepth scans b once and fails when arrays or objects nest deeper than
// max. It does not validate JSON; json.Unmarshal does that afterwards.
func checkDepth(b []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return Malformedf("JSON nests deeper than %d levels", max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
