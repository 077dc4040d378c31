package sink

import (
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// referenceRawMessage is rawMessage as first written, with one []byte per
// header value; the faster rawMessage must build an equal Message.
func referenceRawMessage(topic, key string, r *Raw) Message {
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		if c := http.CanonicalHeaderKey(name); c != "Authorization" && c != "Cookie" && c != "Proxy-Authorization" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	hs := make([]Header, 0, 5+len(names))
	hs = append(hs,
		Header{Key: HeaderSource, Value: []byte(r.Source)},
		Header{Key: HeaderMethod, Value: []byte(r.Method)},
		Header{Key: HeaderURI, Value: []byte(r.URI)},
		Header{Key: HeaderReceivedAt, Value: []byte(r.ReceivedAt.UTC().Format(time.RFC3339Nano))},
		Header{Key: "content-type", Value: []byte(r.ContentType)},
	)
	for _, name := range names {
		for _, v := range r.Header[name] {
			hs = append(hs, Header{Key: HTTPHeaderPrefix + strings.ToLower(name), Value: []byte(v)})
		}
	}
	return Message{Topic: topic, Key: []byte(key), Value: r.Body, Headers: hs}
}

// referenceFeedbackHeaders are FeedbackMessage's headers as first written.
func referenceFeedbackHeaders(rec *feedback.Record) []Header {
	return []Header{
		{Key: "ce_specversion", Value: []byte(CESpecVersion)},
		{Key: "ce_id", Value: []byte(rec.ID)},
		{Key: "ce_source", Value: []byte("/corridor/sources/" + rec.Source)},
		{Key: "ce_type", Value: []byte(CETypeFeedback)},
		{Key: "ce_time", Value: []byte(rec.OccurredAt.UTC().Format(time.RFC3339Nano))},
		{Key: "ce_subject", Value: []byte(rec.EventID)},
		{Key: "content-type", Value: []byte("application/json")},
	}
}

// requireIndependentValues checks that appending to one header value (or
// the key) cannot overwrite another: each has no spare capacity.
func requireIndependentValues(t *testing.T, m Message) {
	t.Helper()
	require.Equal(t, len(m.Key), cap(m.Key), "key")
	for _, h := range m.Headers {
		require.Equal(t, len(h.Value), cap(h.Value), "header %s", h.Key)
	}
}

func webhookRaw() *Raw {
	return &Raw{
		Source: "typeform", Method: "POST", URI: "/v1/webhooks/typeform?x=1", ContentType: "application/json; charset=utf-8",
		Header: http.Header{
			"Host":               {"ingest.example.com"},
			"User-Agent":         {"Typeform Webhooks"},
			"Content-Type":       {"application/json; charset=utf-8"},
			"Content-Length":     {"2417"},
			"Accept-Encoding":    {"gzip"},
			"Typeform-Signature": {"sha256=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE="},
			"X-Forwarded-For":    {"203.0.113.7", "10.0.0.1"},
			"X-Request-Id":       {"7f9c2ba4-e88f-4a2c-9c1d-6a1b2c3d4e5f"},
			"Authorization":      {"Basic c2VjcmV0"},
		},
		Body:       []byte(`{"event_id":"01J","form_response":{}}`),
		ReceivedAt: time.Date(2025, 3, 2, 10, 1, 12, 345678000, time.FixedZone("CET", 3600)),
	}
}

func TestRawAndDLQMessagesMatchReference(t *testing.T) {
	tests := []struct {
		name string
		raw  *Raw
	}{
		{"webhook", webhookRaw()},
		{"no headers", &Raw{Source: "trustpilot", Method: "GET", URI: "page-2", ReceivedAt: time.Unix(0, 0)}},
		{"empty fields", &Raw{Header: http.Header{"X-Empty": {""}, "X-None": {}}}},
		{"withheld in any case", &Raw{Header: http.Header{
			"authorization": {"a"}, "COOKIE": {"b"}, "proxy-AUTHORIZATION": {"c"}, "Cookie": {"d"},
			"Cookies": {"kept"}, "Authorization ": {"kept, space"}, "Coo\u212aie": {"kept, Kelvin sign"}, "Proxy_Authorization": {"kept"},
		}}},
		{"names not canonical", &Raw{Header: http.Header{
			"x-lower": {"1"}, "X-UPPER": {"2"}, "X-Mixed_Case": {"3"}, "x-dup": {"4"}, "X-Dup": {"5", "6"}, "": {"empty name"},
		}}},
		{"names not ASCII", &Raw{Header: http.Header{
			"X-Ünïcode": {"1"}, "\u212a-Kelvin": {"2"}, "X-İ": {"3"}, "X-\xff\xfe": {"4"}, "After": {"5"},
		}}},
		{"year outside 0..9999", &Raw{Method: "POST", ReceivedAt: time.Date(12345, 1, 1, 0, 0, 0, 1, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := referenceRawMessage("corridor.raw.v1", "cust-1", tt.raw)
			want.Headers = append(want.Headers, Header{Key: HeaderRecordIDs, Value: []byte("fb_1,fb_2")})
			got := RawMessage("corridor.raw.v1", "cust-1", tt.raw, []string{"fb_1", "fb_2"})
			require.Equal(t, want, got)
			requireIndependentValues(t, got)

			want = referenceRawMessage("corridor.raw.v1", "cust-1", tt.raw)
			got = RawMessage("corridor.raw.v1", "cust-1", tt.raw, nil)
			require.Equal(t, want, got)

			want = referenceRawMessage("corridor.dlq.v1", tt.raw.Source, tt.raw)
			want.Headers = append(want.Headers, Header{Key: HeaderReason, Value: []byte("malformed")}, Header{Key: HeaderError, Value: []byte("typeform: decode: bad")})
			got = DLQMessage("corridor.dlq.v1", tt.raw, "malformed", "typeform: decode: bad")
			require.Equal(t, want, got)
			requireIndependentValues(t, got)
		})
	}
}

func FuzzRawMessageMatchesReference(f *testing.F) {
	f.Add("Typeform-Signature", "sha256=abc", "authorization", "x", "POST", "/v1/webhooks/typeform", int64(1740909672345678000))
	f.Add("x-\xff", "", "Coo\u212aie", "\x00", "", "", int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, name1, value1, name2, value2, method, uri string, nanos int64) {
		r := &Raw{
			Source: name2, Method: method, URI: uri, ContentType: value2,
			Header:     http.Header{name1: {value1, value2}, name2: {value2}, strings.ToLower(name1): {uri}},
			ReceivedAt: time.Unix(0, nanos),
		}
		require.Equal(t, referenceRawMessage("t", uri, r), RawMessage("t", uri, r, nil))
	})
}

func TestFeedbackMessage(t *testing.T) {
	rec := feedback.New("typeform", feedback.KindSurvey, "resp-1")
	rec.Customer.AccountID = "acme"
	rec.OccurredAt = time.Date(2025, 3, 2, 10, 1, 12, 5, time.FixedZone("CET", 3600))
	rec.ReceivedAt = rec.OccurredAt
	rec.Text = strings.Repeat("Checkout <keeps> timing out. ", 40)

	m, err := FeedbackMessage("corridor.feedback.v1", &rec)
	require.NoError(t, err)
	value, err := json.Marshal(&rec)
	require.NoError(t, err)
	require.Equal(t, Message{Topic: "corridor.feedback.v1", Key: []byte("acme"), Value: value, Headers: referenceFeedbackHeaders(&rec)}, m)
	requireIndependentValues(t, m)

	rec.OccurredAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = FeedbackMessage("corridor.feedback.v1", &rec)
	require.ErrorContains(t, err, "sink: encode record "+rec.ID+": feedback: encode record json: occurred_at: year outside of range [0,9999]")
}

func BenchmarkFeedbackMessage(b *testing.B) {
	rec := feedback.New("typeform", feedback.KindSurvey, "resp-8c1f2a")
	rec.OccurredAt = time.Date(2025, 3, 2, 10, 1, 12, 345678000, time.UTC)
	rec.ReceivedAt = rec.OccurredAt
	rec.Customer.ID = "cust-1042"
	rec.Text = "Checkout keeps timing out when I pay by card, and support took three days to answer my email at [EMAIL]. Delivery itself was fast."
	rec.Themes = []feedback.Theme{
		{ID: "checkout.timeout", Label: "Checkout timeouts", Confidence: 0.87, Sentiment: &feedback.Sentiment{Score: -0.62, Label: "negative"},
			Matches: []feedback.Match{{Text: "Checkout keeps timing out", Start: 0, End: 25}}},
		{ID: "support.speed", Label: "Support response time", Confidence: 0.71, Sentiment: &feedback.Sentiment{Score: -0.4, Label: "negative"},
			Matches: []feedback.Match{{Text: "support took three days", Start: 50, End: 73}, {Text: "answer my email", Start: 77, End: 92}}},
	}
	rec.PII = map[string]int{"email": 1}
	rec.Attributes = map[string]string{"form_id": "aBc123", "plan": "pro", "utm_source": "newsletter"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FeedbackMessage("corridor.feedback.v1", &rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawMessage(b *testing.B) {
	r := webhookRaw()
	b.ReportAllocs()
	for b.Loop() {
		RawMessage("corridor.raw.v1", "cust-1", r, []string{"fb_1"})
	}
}
