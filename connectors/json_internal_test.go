package connectors

import (
	"strings"
	"testing"
)

// shapeReference is checkShape written as the plain byte-at-a-time state
// machine; the fast version must agree with it on every input.
func shapeReference(b []byte, maxDepth, maxLen int) error {
	counts := []int{}
	inString, escaped := false, false
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

func TestCheckShape(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{`{"a":[1,2,3]}`, ""},
		{`[[[[1]]]]`, "nests deeper than 3"},
		{`{"a":"[[[[[[","b":"\\"}`, ""},
		{`{"a":"\"[[[[\\\"[[["}`, ""},
		{`[1,2,3,4,5]`, "longer than 4"},
		{`["a,b,c,d,e,f"]`, ""},
		{`{"x":"\\\\"}[[[[`, "nests deeper than 3"},
		{`"unterminated [[[[`, ""},
	} {
		err := checkShape([]byte(tc.in), 3, 4)
		if tc.want == "" {
			if err != nil {
				t.Errorf("checkShape(%s) = %v, want nil", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("checkShape(%s) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func FuzzCheckShape(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,3]}`, `[[[[1]]]]`, `{"a":"\\\"[["}`, `["\\\\",[[[[`, `"\`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, want := checkShape(b, 4, 5), shapeReference(b, 4, 5)
		if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
			t.Fatalf("checkShape(%q) = %v, reference %v", b, got, want)
		}
	})
}
