package feedback_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// realisticRecord is a tagged survey response as the gateway writes it.
func realisticRecord() feedback.Record {
	r := feedback.New("typeform", feedback.KindSurvey, "resp-8c1f2a")
	r.OccurredAt = time.Date(2025, 3, 2, 10, 1, 12, 345678000, time.UTC)
	r.ReceivedAt = time.Date(2025, 3, 2, 10, 1, 13, 0, time.UTC)
	r.Customer = feedback.Customer{ID: "cust-1042", AccountID: "acme-corp", Role: feedback.RoleBuyer}
	r.Touchpoint, r.Team = "checkout", "payments"
	r.Score = &feedback.Score{Value: 3, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.3, NPSCategory: feedback.NPSDetractor}
	r.Text = "Checkout keeps timing out when I pay by card, and support took three days to answer my email at [EMAIL]. Delivery itself was fast."
	r.Answers = []feedback.Answer{
		{Field: "why", Question: "What could we do better?", Text: "Checkout keeps timing out when I pay by card, and support took three days to answer my email at [EMAIL]."},
		{Field: "liked", Question: "What did you like?", Text: "Delivery itself was fast."},
	}
	r.Language = "en"
	r.Themes = []feedback.Theme{
		{ID: "checkout.timeout", Label: "Checkout timeouts", Group: "checkout", Confidence: 0.87,
			Sentiment: &feedback.Sentiment{Score: -0.62, Label: feedback.SentimentNegative},
			Matches:   []feedback.Match{{Text: "Checkout keeps timing out", Start: 0, End: 25}}},
		{ID: "support.speed", Label: "Support response time", Group: "support", Confidence: 0.71,
			Sentiment: &feedback.Sentiment{Score: -0.4, Label: feedback.SentimentNegative},
			Matches:   []feedback.Match{{Text: "support took three days", Start: 50, End: 73}, {Text: "answer my email", Start: 77, End: 92}}},
	}
	r.Sentiment = &feedback.Sentiment{Score: -0.35, Label: feedback.SentimentMixed}
	r.PII = map[string]int{"email": 1}
	r.Phrases = []string{"checkout timeout", "support response"}
	r.Attributes = map[string]string{"form_id": "aBc123", "plan": "pro", "utm_source": "newsletter"}
	return r
}

// requireMatchesEncodingJSON checks that AppendJSON appends exactly what
// json.Marshal returns, and that both fail together.
func requireMatchesEncodingJSON(t *testing.T, r *feedback.Record) {
	t.Helper()
	want, wantErr := json.Marshal(r)
	prefix := []byte("prefix:")
	got, err := r.AppendJSON(prefix)
	if wantErr != nil {
		require.Error(t, err, "json.Marshal failed with %v", wantErr)
		require.Equal(t, "prefix:", string(got), "dst comes back unchanged on error")
		return
	}
	require.NoError(t, err)
	require.Equal(t, "prefix:"+string(want), string(got))
}

func TestRecordAppendJSONMatchesEncodingJSON(t *testing.T) {
	zone := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name    string
		edit    func(r *feedback.Record)
		wantErr string // substring of AppendJSON's error; "" for none
	}{
		{name: "every field set", edit: func(*feedback.Record) {}},
		{name: "every omitempty field empty", edit: func(r *feedback.Record) {
			r.Customer = feedback.Customer{Role: feedback.RoleUnknown}
			r.Touchpoint, r.Team, r.Location, r.Agent, r.Language = "", "", "", "", ""
			r.Score, r.Sentiment, r.Answers, r.Phrases, r.Attributes = nil, nil, nil, nil, nil
			r.Themes = []feedback.Theme{{ID: "t", Label: "T", Matches: []feedback.Match{}}}
		}},
		{name: "answers and score with empty omitempty fields", edit: func(r *feedback.Record) {
			r.Score = &feedback.Score{Type: feedback.ScoreCSAT, Max: 5}
			r.Answers = []feedback.Answer{{}, {Field: "f"}, {Question: "q"}}
		}},
		{name: "zero record", edit: func(r *feedback.Record) { *r = feedback.Record{} }},
		{name: "nil themes pii answers phrases attributes", edit: func(r *feedback.Record) {
			r.Themes, r.PII, r.Answers, r.Phrases, r.Attributes = nil, nil, nil, nil, nil
		}},
		{name: "empty themes pii answers phrases attributes", edit: func(r *feedback.Record) {
			r.Themes, r.PII, r.Answers, r.Phrases, r.Attributes = []feedback.Theme{}, map[string]int{}, []feedback.Answer{}, []string{}, map[string]string{}
		}},
		{name: "nil and empty matches", edit: func(r *feedback.Record) {
			r.Themes[0].Matches, r.Themes[1].Matches = nil, []feedback.Match{}
		}},
		{name: "html quotes backslashes", edit: func(r *feedback.Record) {
			r.Text = `<script>alert("x & y")</script> C:\path\to 'single'`
			r.Attributes = map[string]string{"<k>": "a&b", `"q"`: `\`}
			r.PII = map[string]int{"&": 2, "a": -1}
		}},
		{name: "control characters", edit: func(r *feedback.Record) {
			r.Text = "tab\tnl\ncr\rbs\bff\fnul\x00unit\x1fdel\x7f"
			r.Phrases = []string{"\x01", "\x1b[0m"}
		}},
		{name: "invalid utf-8", edit: func(r *feedback.Record) {
			r.Text = "caf\xe9 \xff\xfe ok \xe2\x82 trunc \xed\xa0\x80 surrogate"
			r.Answers[0].Question = "\xc0\xaf"
			r.Attributes = map[string]string{"k\xff": "v\x80", "k": "\xef\xbf\xbd is a real U+FFFD"}
		}},
		{name: "line and paragraph separators", edit: func(r *feedback.Record) {
			r.Text = "line\u2028para\u2029end \u2027\u202a emoji 😀 日本語"
			r.Themes[0].Label = "\u2028"
		}},
		{name: "map keys sort by raw bytes", edit: func(r *feedback.Record) {
			r.PII = map[string]int{"b": 1, "a": 2, "A": 3, "<": 4, "\x00": 5, "é": 6, "": 7, "aa": 8}
			r.Attributes = map[string]string{"z": "1", "Z": "2", "_": "3", "0": "4", "ä": "5", "a\u2028": "6"}
		}},
		{name: "map with more keys than the stack buffer", edit: func(r *feedback.Record) {
			r.Attributes = map[string]string{}
			for i := range 40 {
				r.Attributes[string(rune('A'+i))+"key"] = time.Duration(i).String()
			}
		}},
		{name: "floats", edit: func(r *feedback.Record) {
			r.Score = &feedback.Score{Value: 123456789.123, Max: 1e21, Normalized: 1.0 / 3}
			r.Score.Min = math.Copysign(0, -1) // -0
			r.Sentiment.Score = 1e-7
			r.Themes[0].Confidence = 0.1
			r.Themes[1].Confidence = 0
			r.Themes[0].Sentiment.Score = 1e-6
			r.Themes[1].Sentiment.Score = 9.999999999999999e20
		}},
		{name: "float exponents", edit: func(r *feedback.Record) {
			r.Score = &feedback.Score{Value: 5e-324, Min: -1.7976931348623157e308, Max: 1e-10, Normalized: -2.5e-8}
			r.Sentiment.Score = 1e100
			r.Themes[0].Confidence = 1e21
			r.Themes[1].Confidence = -1e-9
		}},
		{name: "NaN confidence", wantErr: "themes[1]: confidence: unsupported value NaN", edit: func(r *feedback.Record) { r.Themes[1].Confidence = math.NaN() }},
		{name: "Inf score value", wantErr: "score: value: unsupported value +Inf", edit: func(r *feedback.Record) { r.Score.Value = math.Inf(1) }},
		{name: "-Inf theme sentiment", wantErr: "themes[0]: sentiment: score: unsupported value -Inf", edit: func(r *feedback.Record) { r.Themes[0].Sentiment.Score = math.Inf(-1) }},
		{name: "NaN record sentiment", wantErr: "sentiment: score", edit: func(r *feedback.Record) { r.Sentiment.Score = math.NaN() }},
		{name: "times without nanoseconds", edit: func(r *feedback.Record) {
			r.OccurredAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			r.ReceivedAt = time.Date(2025, 1, 1, 0, 0, 0, 100, time.UTC)
		}},
		{name: "times in other zones", edit: func(r *feedback.Record) {
			r.OccurredAt = time.Date(2025, 6, 30, 23, 59, 59, 999999999, zone)
			r.ReceivedAt = time.Date(2025, 6, 30, 23, 59, 59, 5e8, time.FixedZone("odd", -(9*60*60+30*60+15)))
		}},
		{name: "zero and edge years", edit: func(r *feedback.Record) {
			r.OccurredAt = time.Time{}
			r.ReceivedAt = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
		}},
		{name: "year 10000", wantErr: "occurred_at: year outside of range [0,9999]", edit: func(r *feedback.Record) {
			r.OccurredAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		}},
		{name: "year -1", wantErr: "received_at: year outside of range [0,9999]", edit: func(r *feedback.Record) {
			r.ReceivedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
		}},
		{name: "zone offset of 24 hours", wantErr: "received_at: timezone hour outside of range [0,23]", edit: func(r *feedback.Record) {
			r.ReceivedAt = r.ReceivedAt.In(time.FixedZone("far", 24*60*60))
		}},
		{name: "zone offset of 100 hours", wantErr: "timezone hour", edit: func(r *feedback.Record) {
			r.ReceivedAt = r.ReceivedAt.In(time.FixedZone("farther", -100*60*60))
		}},
		{name: "zone offset under a minute", edit: func(r *feedback.Record) {
			r.ReceivedAt = r.ReceivedAt.In(time.FixedZone("lmt", -30))
		}},
		{name: "extreme ints", edit: func(r *feedback.Record) {
			r.SchemaVersion, r.Version = math.MinInt, math.MaxInt64
			r.PII = map[string]int{"max": math.MaxInt, "min": math.MinInt}
			r.Themes[0].Matches[0].Start, r.Themes[0].Matches[0].End = -1, math.MaxInt
		}},
		{name: "unknown kind role and score type", edit: func(r *feedback.Record) {
			r.Kind, r.Customer.Role, r.Score.Type = "<kind>", "", "\"type\""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := realisticRecord()
			tt.edit(&r)
			requireMatchesEncodingJSON(t, &r)
			_, err := r.AppendJSON(nil)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, "feedback: encode record json: ")
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestNilRecordAppendJSONIsNull(t *testing.T) {
	requireMatchesEncodingJSON(t, nil)
}

func TestRecordAppendJSONAllocatesOnlyToGrowDst(t *testing.T) {
	r := realisticRecord()
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = r.AppendJSON(buf[:0]); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

func FuzzRecordAppendJSONMatchesEncodingJSON(f *testing.F) {
	all := uint32(math.MaxUint32)
	f.Add("fb_1", "typeform", "survey", "resp-1", 3.0, 0.0, 10.0, int64(1), int64(2), int64(1740909672), int64(1740909673), int64(345678000), int32(0), all)
	f.Add("<a&b>", "caf\xe9", "\u2028\"\\", "\x00\x1f\t", 1e-7, -2.5e-8, 1e21, int64(-1), int64(0), int64(-62135596800), int64(253402300799), int64(0), int32(3600), all)
	f.Add("", "", "", "", math.Copysign(0, -1), 1.0/3, 5e-324, int64(0), int64(0), int64(0), int64(0), int64(999999999), int32(-86399), all)
	f.Add("k", "K", "\xff", "\u2029", math.NaN(), math.Inf(1), math.Inf(-1), int64(0), int64(0), int64(0), int64(0), int64(0), int32(0), uint32(0x5555aaaa))
	f.Add("a", "b", "c", "d", 1.0, 2.0, 3.0, int64(0), int64(0), int64(253402300800), int64(-62135596801), int64(0), int32(86400), uint32(0))
	f.Fuzz(func(t *testing.T, s1, s2, s3, s4 string, f1, f2, f3 float64, n1, n2, sec1, sec2, nsec int64, offset int32, shape uint32) {
		r := fuzzRecord(s1, s2, s3, s4, f1, f2, f3, n1, n2, sec1, sec2, nsec, offset, shape)
		requireMatchesEncodingJSON(t, &r)
	})
}

// fuzzRecord builds a record with every field drawn from the arguments;
// shape's bits choose between nil, empty and set slices, maps and pointers.
func fuzzRecord(s1, s2, s3, s4 string, f1, f2, f3 float64, n1, n2, sec1, sec2, nsec int64, offset int32, shape uint32) feedback.Record {
	bit := func(i uint) bool { return shape&(1<<i) != 0 }
	pick := func(i uint, s string) string { // "" unless bit i is set
		if bit(i) {
			return s
		}
		return ""
	}
	// nilEmptySet says whether bits i and i+1 ask for nil (0), empty (1) or
	// set (2 or 3).
	nilEmptySet := func(i uint) int { return min(int(shape>>i&3), 2) }

	// OccurredAt stays within a few millennia around 1970, mostly
	// encodable; ReceivedAt takes any instant the fuzzer finds.
	zone := time.FixedZone(s4, int(offset))
	r := feedback.Record{
		SchemaVersion: int(n2),
		ID:            s1,
		Version:       n1,
		Source:        s2,
		Kind:          feedback.Kind(s3),
		EventID:       s4,
		OccurredAt:    time.Unix(sec1%(300_000_000_000), nsec).In(zone),
		ReceivedAt:    time.Unix(sec2, nsec).UTC(),
		Customer:      feedback.Customer{ID: pick(0, s1), AccountID: pick(1, s2), Role: feedback.Role(s3)},
		Touchpoint:    pick(2, s4),
		Team:          pick(3, s3),
		Location:      pick(4, s2),
		Agent:         pick(5, s1),
		Text:          s1 + s2 + s3 + s4,
		Language:      pick(6, s3),
	}
	if bit(7) {
		r.ReceivedAt = r.ReceivedAt.In(zone)
	}
	if bit(8) {
		r.Score = &feedback.Score{Value: f1, Min: f2, Max: f3, Type: feedback.ScoreType(s4), Normalized: f1 / f3, NPSCategory: pick(9, s2)}
	}
	switch nilEmptySet(10) {
	case 1:
		r.Answers = []feedback.Answer{}
	case 2:
		r.Answers = []feedback.Answer{{Field: pick(12, s1), Question: pick(13, s2), Text: s3}, {Text: s4}}
	}
	if bit(14) {
		r.Sentiment = &feedback.Sentiment{Score: f2, Label: s3}
	}
	var matches []feedback.Match
	switch nilEmptySet(15) {
	case 1:
		matches = []feedback.Match{}
	case 2:
		matches = []feedback.Match{{Text: s2, Start: int(n1), End: int(n2)}, {Text: s4, Start: int(n2), End: int(n1)}}
	}
	switch nilEmptySet(17) {
	case 1:
		r.Themes = []feedback.Theme{}
	case 2:
		r.Themes = []feedback.Theme{
			{ID: s1, Label: s2, Group: pick(19, s3), Confidence: f3, Matches: matches},
			{ID: s4, Label: s3, Confidence: f1, Sentiment: &feedback.Sentiment{Score: f3, Label: s1}, Matches: matches},
		}
	}
	switch nilEmptySet(20) {
	case 1:
		r.PII = map[string]int{}
	case 2:
		r.PII = map[string]int{s1: int(n1), s2: int(n2), s3: 0}
	}
	switch nilEmptySet(22) {
	case 1:
		r.Phrases = []string{}
	case 2:
		r.Phrases = []string{s1, s2, s3}
	}
	switch nilEmptySet(24) {
	case 1:
		r.Attributes = map[string]string{}
	case 2:
		r.Attributes = map[string]string{s1: s2, s2: s3, s3: s4, s4: s1}
	}
	return r
}

func BenchmarkRecordJSON(b *testing.B) {
	r := realisticRecord()
	want, err := json.Marshal(&r)
	require.NoError(b, err)
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			if _, err := json.Marshal(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		var buf []byte
		for b.Loop() {
			if buf, err = r.AppendJSON(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestRecordAppendJSONCoversEveryField fills every exported field of a
// Record, recursively and whatever its type, with a non-zero value, so a
// field added to the types (omitempty or not) that AppendJSON does not
// write fails here even when no other test sets it.
func TestRecordAppendJSONCoversEveryField(t *testing.T) {
	var r feedback.Record
	n := 0
	fillNonZero(t, reflect.ValueOf(&r).Elem(), &n)
	require.Greater(t, n, 30, "fields filled")
	requireMatchesEncodingJSON(t, &r)
}

// fillNonZero sets v and everything under it to non-zero values, counting
// the leaf fields in n.
func fillNonZero(t *testing.T, v reflect.Value, n *int) {
	t.Helper()
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			*n++
			v.Set(reflect.ValueOf(time.Date(2025, 3, 2, 10, 1, 12, *n, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillNonZero(t, v.Field(i), n)
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillNonZero(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillNonZero(t, v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillNonZero(t, k, n)
			fillNonZero(t, e, n)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		*n++
		v.SetString(fmt.Sprintf("v%d<&>", *n))
	case reflect.Int, reflect.Int64, reflect.Int32:
		*n++
		v.SetInt(int64(*n))
	case reflect.Float64:
		*n++
		v.SetFloat(float64(*n) / 7)
	case reflect.Bool:
		*n++
		v.SetBool(true)
	default:
		t.Fatalf("fillNonZero: add a case for %s (%s)", v.Kind(), v.Type())
	}
}
