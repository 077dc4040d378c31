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

// DecodeJSON's errors name the problem and where it is, and never quote the
// rest of the payload (which may hold personal data) into the 400 body.
func TestDecodeJSONErrorsNameTheProblem(t *testing.T) {
	type item struct {
		X int `json:"x"`
	}
	type shape struct {
		I int    `json:"i"`
		S string `json:"s"`
		L []item `json:"l"`
	}
	const secret = "jane@example.com"
	for _, tc := range []struct {
		in, want string
	}{
		{`{"i":"3","s":"` + secret + `"}`, `cannot unmarshal string into Go struct field shape.i of type int`},
		{`{"i":1.5,"s":"` + secret + `"}`, `cannot unmarshal number 1.5 into Go struct field shape.i of type int`},
		{`{"l":[{"x":"no"}],"s":"` + secret + `"}`, `cannot unmarshal string into Go struct field shape.l.0.x of type int`},
		{`{"s":1,"t":"` + secret + `"}`, `cannot unmarshal number into Go struct field shape.s of type string`},
		{`{"a":1,}`, `invalid character '}' looking for beginning of object key string`},
		{`{"s":"a"} x`, `invalid character 'x' after top-level value`},
		{`{"s":"` + secret, `unexpected end of JSON input`},
		{`[1]`, `cannot unmarshal array into Go value of type connectors.shape`},
	} {
		var v shape
		err := DecodeJSON(Request{ContentType: "application/json", Body: []byte(tc.in)}, &v)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeJSON(%s) = %v, want it to contain %q", tc.in, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("DecodeJSON(%s) = %v: quotes the payload", tc.in, err)
		}
	}
}

// A payload the fast decoder refuses after filling part of v is decoded
// again from a zero v, so nothing of the first attempt is left behind.
func TestDecodeJSONRetryStartsFromZero(t *testing.T) {
	type shape struct {
		M map[string]string `json:"m"`
		S string            `json:"s"`
	}
	v := shape{}
	err := DecodeJSON(Request{ContentType: "application/json", Body: []byte(`{"m":{"a":"1"},"s":"x","bad":}`)}, &v)
	if err == nil {
		t.Fatal("DecodeJSON accepted invalid JSON")
	}
	if len(v.M) != 0 || v.S != "" {
		t.Errorf("after a refused payload v = %+v, want the zero value", v)
	}
}
