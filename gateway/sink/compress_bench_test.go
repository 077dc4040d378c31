package sink_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/segmentio/kafka-go/compress/snappy"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// BenchmarkSnappy compares kafka-go's snappy encoders on what one partition
// batch holds: n feedback records of different customers and texts. The
// sink uses the faster one (see the init in kafka.go); "ratio" is the
// compressed size over the input size.
func BenchmarkSnappy(b *testing.B) {
	texts := []string{
		"Checkout kept timing out on the payment page and I was charged twice before the order went through",
		"The courier never arrived and support took three days to answer my email about the missing parcel",
		"Staff at the Leeds store were friendly and helpful but the queue at the till was far too long",
		"I asked for a refund two weeks ago and nobody has followed up, the returns policy is confusing",
	}
	for _, n := range []int{2, 10, 40} {
		var in bytes.Buffer
		for i := range n {
			r := feedback.New("typeform", feedback.KindSurvey, fmt.Sprintf("bench%012d", i))
			r.OccurredAt = time.Date(2025, 3, 2, 10, 1, i, 0, time.UTC)
			r.ReceivedAt = r.OccurredAt.Add(time.Duration(i) * time.Millisecond)
			r.Customer.ID = fmt.Sprintf("cust-%d", i*7919%5000)
			r.Text = texts[i%len(texts)]
			r.Answers = []feedback.Answer{{Field: "why", Question: "Why?", Text: r.Text}}
			r.Score, _ = feedback.NewScore(feedback.ScoreNPS, float64(i%11), 0, 10)
			r.Themes = []feedback.Theme{{ID: "wait_time", Label: "Responsiveness and wait time", Confidence: 0.8,
				Sentiment: &feedback.Sentiment{Score: -0.4, Label: "negative"}, Matches: []feedback.Match{{Text: "took three days", Start: 40, End: 55}}}}
			r.Attributes = map[string]string{"form_id": "aBc123", "form_title": "NPS"}
			v, err := json.Marshal(&r)
			if err != nil {
				b.Fatal(err)
			}
			in.Write(v)
		}
		for _, mode := range []struct {
			name string
			c    snappy.Compression
		}{{"better", snappy.BetterCompression}, {"faster", snappy.FasterCompression}} {
			b.Run(fmt.Sprintf("records=%d/%s", n, mode.name), func(b *testing.B) {
				codec := &snappy.Codec{Compression: mode.c}
				var out bytes.Buffer
				b.SetBytes(int64(in.Len()))
				b.ReportAllocs()
				for b.Loop() {
					out.Reset()
					w := codec.NewWriter(&out)
					if _, err := w.Write(in.Bytes()); err != nil {
						b.Fatal(err)
					}
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(out.Len())/float64(in.Len()), "ratio")
			})
		}
	}
}
