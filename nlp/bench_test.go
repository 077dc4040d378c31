package nlp

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jdkato/prose/v2"
)

// BenchmarkAnalyze analyzes testdata/verbatims.txt (about 25 words each);
// one op is one verbatim. The word cache is warm after the first pass, which
// is the steady state of a gateway.
func BenchmarkAnalyze(b *testing.B) {
	a := analyzer(b)
	vs := verbatims(b)
	n := 0
	for _, v := range vs {
		n += len(v)
	}
	b.SetBytes(int64(n / len(vs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Analyze(vs[i%len(vs)])
		i++
	}
}

// BenchmarkAnalyzeWithModel is BenchmarkAnalyze with a theme model (and its
// sentiment part) combined with the rules: testdata/model/cx.model.json, or
// the model file named by $CORRIDOR_BENCH_MODEL (e.g. a SemEval model saved
// by `go run ./benchmarks/quality --save DIR`).
func BenchmarkAnalyzeWithModel(b *testing.B) {
	cfg := NewDefaultConfig()
	cfg.Model = modelFile
	if p := os.Getenv("CORRIDOR_BENCH_MODEL"); p != "" {
		cfg.Model = p
	}
	a, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	vs := verbatims(b)
	n := 0
	for _, v := range vs {
		n += len(v)
	}
	b.SetBytes(int64(n / len(vs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Analyze(vs[i%len(vs)])
		i++
	}
}

// BenchmarkAnalyzeCold defeats the word cache by giving every word a fresh
// suffix, so every call tokenizes with prose and stems every word: the
// worst case (a cold start, or text never seen before).
func BenchmarkAnalyzeCold(b *testing.B) {
	a := analyzer(b)
	vs := verbatims(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Analyze(uniqueWords(vs[i%len(vs)], i)) // includes ~0.3 µs to build the text
		i++
	}
}

// BenchmarkAnalyzeLong analyzes a text at the default 16 KiB cap (the
// verbatims repeated), to show the cost stays linear.
func BenchmarkAnalyzeLong(b *testing.B) {
	a := analyzer(b)
	long := strings.Repeat(strings.Join(verbatims(b), " ")+" ", 8)[:DefaultMaxTextBytes]
	b.SetBytes(int64(len(long)))
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze(long)
	}
}

// BenchmarkRedact measures redaction alone.
func BenchmarkRedact(b *testing.B) {
	a := analyzer(b)
	vs := verbatims(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Redact(vs[i%len(vs)])
		i++
	}
}

// BenchmarkProseTokenize is the figure to compare against: prose's tokenizer
// run on the whole text, as a per-call prose pipeline would.
func BenchmarkProseTokenize(b *testing.B) {
	m := sharedModel()
	vs := verbatims(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d, _ := prose.NewDocument(vs[i%len(vs)], prose.UsingModel(m), prose.WithSegmentation(false),
			prose.WithTagging(false), prose.WithExtraction(false))
		_ = d.Tokens()
		i++
	}
}

func uniqueWords(s string, n int) string {
	out := make([]byte, 0, len(s)+len(s)/4)
	suffix := "q" + strconv.Itoa(n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			out = append(out, suffix...)
		}
		out = append(out, c)
	}
	return string(out)
}
