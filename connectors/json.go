package connectors

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"

	// Two decoders with encoding/json's semantics (FuzzDecodeJSONAgreesWithStdlib
	// checks both against it): segmentio's, about 2.3 times faster, decodes
	// every payload; the encoding/json/v2 engine in v1 mode decodes again
	// only what the first refused, to name the problem (segmentio's messages
	// quote the rest of the payload) and to have the last word.
	jsonv1 "github.com/go-json-experiment/json/v1"
	segjson "github.com/segmentio/encoding/json"
)

// Bounds on JSON payloads; beyond them a payload is malformed (400).
const (
	MaxJSONDepth    = 64
	MaxJSONArrayLen = 10000
)

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
	if err := checkShape(req.Body, MaxJSONDepth, MaxJSONArrayLen); err != nil {
		return err
	}
	if segjson.Unmarshal(req.Body, v) == nil {
		return nil
	}
	// The fast decoder may have filled v in part: start again from zero.
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero()
	}
	if err := jsonv1.Unmarshal(req.Body, v); err != nil {
		return Malformedf("invalid JSON: %v", err)
	}
	return nil
}

// checkShape scans b once and fails when arrays or objects nest deeper than
// maxDepth or an array holds more than maxLen elements. It does not validate
// JSON; json.Unmarshal does that afterwards.
func checkShape(b []byte, maxDepth, maxLen int) error {
	// counts[i] is the number of commas seen in the array open at depth i+1
	// (-1 for objects).
	counts := make([]int, 0, 16)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			// Skip the string: find its closing quote, one not escaped by
			// an odd run of backslashes.
			j := i + 1
			for {
				k := bytes.IndexByte(b[j:], '"')
				if k < 0 {
					return nil // unterminated: json.Unmarshal reports it
				}
				j += k
				n := 0
				for m := j - 1; m > i && b[m] == '\\'; m-- {
					n++
				}
				if n%2 == 0 {
					break
				}
				j++
			}
			i = j
			continue
		}
		switch c {
		case '{', '[':
			if len(counts) >= maxDepth {
				return Malformedf("JSON nests deeper than %d levels", maxDepth)
			}
			if c == '[' {
				counts = append(counts, 0)
			} else {
				counts = append(counts, -1)
			}
		case ',':
			if n := len(counts); n > 0 && counts[n-1] >= 0 {
				counts[n-1]++
				if counts[n-1] >= maxLen {
					return Malformedf("JSON array longer than %d elements", maxLen)
				}
			}
		case '}', ']':
			if len(counts) > 0 {
				counts = counts[:len(counts)-1]
			}
		}
	}
	return nil
}
