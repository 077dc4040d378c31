package connectors_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/wire"
)

// fuzzShape has the kinds of fields vendor wire types use.
type fuzzShape struct {
	S     string                 `json:"s"`
	N     *float64               `json:"n"`
	I     int                    `json:"i"`
	B     bool                   `json:"b"`
	ID    wire.ID                `json:"id"`
	T     wire.Time              `json:"t"`
	Sec   wire.Seconds           `json:"sec"`
	Ms    wire.Millis            `json:"ms"`
	Props map[string]wire.Scalar `json:"props"`
	List  []struct {
		X string `json:"x"`
		Y *int64 `json:"y"`
	} `json:"list"`
	Nested *struct {
		Title string   `json:"title"`
		Tags  []string `json:"tags"`
	} `json:"nested"`
	Any any             `json:"any"`
	Raw json.RawMessage `json:"raw"`
}

// DecodeJSON must decode exactly what encoding/json decodes: the same
// success or failure and, on success, the same value.
func FuzzDecodeJSONAgreesWithStdlib(f *testing.F) {
	for _, s := range []string{
		`{"s":"a","n":1.5,"i":3,"b":true,"id":123,"t":"2025-03-02T10:01:12Z","sec":"1700000000","ms":1700000000000}`,
		`{"S":"case","ID":"x","props":{"a":"b","c":1,"d":true,"e":{"x":1},"f":null}}`,
		`{"list":[{"x":"1","y":2},{"x":"\u00e9\ud83d\ude00","y":null}],"nested":{"title":"t","tags":["a","b"]}}`,
		`{"any":{"a":[1,"x",null,true,{"b":-0.5e3}]},"raw":{"k":[1,2]}}`,
		`{"s":"dup","s":"last"}`,
		"{\"s\":\"bad \xff utf8\"}",
		`{"i":1.5}`, `{"i":"3"}`, `{"n":"x"}`, `{"t":"yesterday"}`, `{"id":{}}`, `[1,2]`, `null`, `{"s":1}`, `{"s":"a"} x`, `{"a":1,}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got fuzzShape
		werr := json.Unmarshal(b, &want)
		gerr := connectors.DecodeJSON(connectors.Request{ContentType: "application/json", Body: b}, &got)
		if gerr != nil && !errors.Is(gerr, connectors.ErrMalformed) {
			t.Fatalf("DecodeJSON(%q): %v is not ErrMalformed", b, gerr)
		}
		if werr == nil && gerr != nil {
			var shape bool
			for _, s := range []string{"nests deeper", "array longer"} {
				shape = shape || strings.Contains(gerr.Error(), s)
			}
			if !shape {
				t.Fatalf("DecodeJSON(%q) failed (%v), encoding/json accepts it", b, gerr)
			}
			return
		}
		if werr != nil && gerr == nil {
			t.Fatalf("DecodeJSON(%q) accepted it, encoding/json says %v", b, werr)
		}
		if werr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("DecodeJSON(%q)\n got %+v\nwant %+v", b, got, want)
		}
	})
}
