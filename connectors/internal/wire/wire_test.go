package wire

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestID(t *testing.T) {
	tests := []struct {
		in      string
		want    ID
		wantErr bool
	}{
		{`"abc"`, "abc", false},
		{`" 42 "`, "42", false},
		{`30064117810589`, "30064117810589", false},
		{`null`, "", false},
		{`true`, "", true},
		{`{}`, "", true},
		{`[1]`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var v struct {
				ID ID `json:"id"`
			}
			err := json.Unmarshal([]byte(`{"id":`+tt.in+`}`), &v)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, v.ID)
		})
	}
}

func TestScalar(t *testing.T) {
	var m map[string]Scalar
	require.NoError(t, json.Unmarshal([]byte(`{"s":"x","n":1.5,"b":false,"o":{"a":1},"a":[1],"z":null}`), &m))
	assert.Equal(t, Scalar{"x", true}, m["s"])
	assert.Equal(t, Scalar{"1.5", true}, m["n"])
	assert.Equal(t, Scalar{"false", true}, m["b"])
	assert.False(t, m["o"].Valid)
	assert.False(t, m["a"].Valid)
	assert.False(t, m["z"].Valid)
}

func TestTime(t *testing.T) {
	var v struct{ A, B, C, D Time }
	require.NoError(t, json.Unmarshal([]byte(`{"A":"2025-03-02T10:01:12Z","B":null,"C":"","D":"2025-01-08T14:25:30.123456789+01:00"}`), &v))
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), v.A.UTC())
	assert.True(t, v.B.IsZero())
	assert.True(t, v.C.IsZero())
	assert.Equal(t, time.Date(2025, 1, 8, 13, 25, 30, 123456789, time.UTC), v.D.UTC())
	require.Error(t, json.Unmarshal([]byte(`{"A":"yesterday"}`), &v))
	require.Error(t, json.Unmarshal([]byte(`{"A":17}`), &v))
}

func TestInstant(t *testing.T) {
	_, ok, err := Instant(time.Time{})
	require.NoError(t, err)
	assert.False(t, ok)

	u, ok, err := Instant(time.Date(2025, 3, 2, 11, 0, 0, 0, time.FixedZone("CET", 3600)))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, time.UTC, u.Location())
	assert.Equal(t, 10, u.Hour())

	_, _, err = Instant(time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("W", -3600)))
	require.Error(t, err, "rolls into year 10000 in UTC")

	_, _, err = Instant(Unix(1 << 60))
	require.Error(t, err)
	assert.True(t, Unix(0).IsZero())
	assert.True(t, Unix(-5).IsZero())
	assert.Equal(t, time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC), Unix(1740909600))
}

func TestJoinText(t *testing.T) {
	assert.Equal(t, "a\nb", JoinText(" a ", "", "  ", "b\n"))
	assert.Empty(t, JoinText())
}

func TestPersonal(t *testing.T) {
	for _, k := range []string{"email", "Email Address", "work_email", "name", "First Name", "phone_number", "Mobile"} {
		assert.True(t, Personal(k), k)
	}
	for _, k := range []string{"plan", "Company Name", "segment", "Delighted Source", "country"} {
		assert.False(t, Personal(k), k)
	}
}

func TestSeconds(t *testing.T) {
	var v map[string]Seconds
	require.NoError(t, json.Unmarshal([]byte(`{"a":1740909600,"b":"1740909900","c":null,"d":1740909600.9,"e":""}`), &v))
	assert.Equal(t, Seconds(1740909600), v["a"])
	assert.Equal(t, Seconds(1740909900), v["b"])
	assert.Equal(t, Seconds(0), v["c"])
	assert.Equal(t, Seconds(1740909600), v["d"])
	assert.Equal(t, Seconds(0), v["e"])
	assert.Equal(t, time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC), v["a"].Time())
	require.Error(t, json.Unmarshal([]byte(`{"a":"soon"}`), &v))
	require.Error(t, json.Unmarshal([]byte(`{"a":1e300}`), &v))
	require.Error(t, json.Unmarshal([]byte(`{"a":true}`), &v))
}

func TestIDNonZero(t *testing.T) {
	assert.Equal(t, "", ID("0").NonZero())
	assert.Equal(t, "", ID("").NonZero())
	assert.Equal(t, "10", ID("10").NonZero())
	assert.Equal(t, "00", ID("00").NonZero(), "only the literal 0")
}

func TestMillis(t *testing.T) {
	var v map[string]Millis
	require.NoError(t, json.Unmarshal([]byte(`{"a":1740909672123,"b":" 1740909672123 ","c":null,"d":"","e":"  "}`), &v))
	assert.Equal(t, Millis(1740909672123), v["a"])
	assert.Equal(t, Millis(1740909672123), v["b"], "a numeric string is trimmed")
	assert.Equal(t, Millis(0), v["c"])
	assert.Equal(t, Millis(0), v["d"])
	assert.Equal(t, Millis(0), v["e"])
	require.NoError(t, json.Unmarshal([]byte(`{"a":"1740909672123"}`), &v))
	assert.Equal(t, Millis(1740909672123), v["a"])
	for _, in := range []string{`1.5`, `"soon"`, `true`, `1e3`} {
		err := json.Unmarshal([]byte(`{"a":`+in+`}`), &v)
		require.Error(t, err, in)
	}
	err := json.Unmarshal([]byte(`{"a":"x"}`), &v)
	assert.ErrorContains(t, err, `timestamp "x" is not a whole number of milliseconds`)
	assert.Equal(t, int64(253402300799999), int64(MaxUnixMillis))
}

func TestUnmarshalOptional(t *testing.T) {
	type obj struct{ A int }
	for _, raw := range []string{"", "null"} {
		v := obj{A: 7}
		require.NoError(t, UnmarshalOptional(json.RawMessage(raw), &v), raw)
		assert.Equal(t, obj{A: 7}, v, "left as it is")
	}
	var v obj
	require.NoError(t, UnmarshalOptional(json.RawMessage(`{"A":1}`), &v))
	assert.Equal(t, obj{A: 1}, v)
	require.Error(t, UnmarshalOptional(json.RawMessage(`[1]`), &v))
}

// unquote must agree with encoding/json on every input: same string when
// json accepts the literal, an error when it does not.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"plain"`, `"caf\u00e9"`, `"café"`, "\"\xff\"", `"a\"b"`, `"tab	in"`, `""`, `"`, `x`, `"a"b"`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		werr := json.Unmarshal(b, &want)
		got, err := unquote(b)
		if (werr == nil) != (err == nil) {
			t.Fatalf("unquote(%q): err %v, json err %v", b, err, werr)
		}
		if werr == nil && got != want {
			t.Fatalf("unquote(%q) = %q, json gives %q", b, got, want)
		}
	})
}

func TestTimeOrZoneless(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Time
		err  string
	}{
		{"RFC 3339", `"2025-03-02T10:01:12Z"`, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), ""},
		{"RFC 3339 with offset", `"2025-03-02T11:01:12.5+01:00"`, time.Date(2025, 3, 2, 10, 1, 12, 5e8, time.UTC), ""},
		{"zoneless", `"2013-09-07T13:37:00"`, time.Date(2013, 9, 7, 13, 37, 0, 0, time.UTC), ""},
		{"zoneless with fraction", `"2013-09-08T10:00:00.5"`, time.Date(2013, 9, 8, 10, 0, 0, 5e8, time.UTC), ""},
		{"zoneless with blanks", `" 2013-09-07T13:37:00 "`, time.Date(2013, 9, 7, 13, 37, 0, 0, time.UTC), ""},
		{"zoneless escaped", `"2013-09-07T13:37:00\u0020"`, time.Date(2013, 9, 7, 13, 37, 0, 0, time.UTC), ""},
		{"null", `null`, time.Time{}, ""},
		{"empty", `""`, time.Time{}, ""},
		{"blank", `"  "`, time.Time{}, ""},
		{"RFC 3339 with blanks, as Time", `" 2025-03-02T10:01:12Z"`, time.Time{}, "RFC 3339"},
		{"date only", `"2013-09-07"`, time.Time{}, "RFC 3339"},
		{"other form", `"07/09/2013 13:37"`, time.Time{}, `"07/09/2013 13:37" is not RFC 3339`},
		{"number", `17`, time.Time{}, "timestamp: "},
		{"object", `{}`, time.Time{}, "timestamp: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := TimeOrZoneless{time.Unix(1, 0)} // overwritten when absent
			err := json.Unmarshal([]byte(tt.in), &v)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(v.Time), "got %v", v.Time)
			assert.Equal(t, tt.want.IsZero(), v.IsZero())
		})
	}
}

func TestSecondsOrTime(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Time
		err  string
		// noFallback: a non-string, which never falls back to RFC 3339
		noFallback bool
	}{
		{"number", `1740909672`, time.Unix(1740909672, 0), "", false},
		{"fractional number", `1740909672.9`, time.Unix(1740909672, 0), "", false},
		{"numeric string", `" 1740909672 "`, time.Unix(1740909672, 0), "", false},
		{"RFC 3339", `"2025-03-02T10:01:12Z"`, time.Unix(1740909672, 0), "", false},
		{"RFC 3339 with fraction, offset and blanks", `" 2025-03-02T11:01:12.82+01:00 "`, time.Unix(1740909672, 82e7), "", false},
		{"null", `null`, time.Time{}, "", false},
		{"empty", `""`, time.Time{}, "", false},
		{"zero", `0`, time.Time{}, "", false},
		{"negative", `-5`, time.Time{}, "", false},
		{"epoch as RFC 3339", `"1970-01-01T00:00:00Z"`, time.Time{}, "", false},
		{"epoch and a fraction as RFC 3339", `"1970-01-01T00:00:00.5Z"`, time.Time{}, "", false},
		{"before 1970 as RFC 3339", `"1969-07-20T20:17:40Z"`, time.Time{}, "", false},
		{"first second as RFC 3339", `"1970-01-01T00:00:01Z"`, time.Unix(1, 0), "", false},
		{"not a time", `"yesterday"`, time.Time{}, `unix timestamp "yesterday" is not a number of seconds, nor RFC 3339`, false},
		{"no zone", `"2025-03-02 10:01:10"`, time.Time{}, "nor RFC 3339", false},
		{"NaN", `"NaN"`, time.Time{}, "nor RFC 3339", false},
		{"boolean", `true`, time.Time{}, `unix timestamp "true" is not a number of seconds`, true},
		{"object", `{"at":1}`, time.Time{}, "is not a number of seconds", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := SecondsOrTime{time.Unix(1, 0)} // overwritten when absent
			err := json.Unmarshal([]byte(tt.in), &v)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				if tt.noFallback {
					assert.NotContains(t, err.Error(), "RFC 3339", "only strings fall back to RFC 3339")
				}
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(v.Time()), "got %v", v.Time())
			assert.Equal(t, tt.want.IsZero(), v.Time().IsZero())
		})
	}
}

func TestParseTime(t *testing.T) {
	layouts := []string{time.RFC3339Nano, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05"}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025-03-02T10:01:12Z", time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), true},
		{"2025-03-02 15:31:12 +0530", time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), true},
		{"2025-03-02 10:01:12", time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), true},
		{" 2025-03-02 10:01:12", time.Time{}, false},
		{"2025-03-02", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseTime(tt.in, layouts...)
			assert.Equal(t, tt.ok, ok)
			assert.True(t, tt.want.Equal(got), "got %v", got)
		})
	}
	_, ok := ParseTime("2025-03-02T10:01:12Z")
	assert.False(t, ok, "no layouts")
	got, _ := ParseTime("2025-03-02 10:01:12", "2006-01-02 15:04:05")
	assert.Equal(t, time.UTC, got.Location(), "no zone reads as UTC")
}
