package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindSpans(t *testing.T) {
	s := "mail a@b.io, call +44 20 7946 0958, card 4111 1111 1111 1111, ip 10.0.0.1"
	spans := Find(nil, s)
	require.Len(t, spans, 4)
	kinds := []Kind{Email, Phone, Card, IP}
	texts := []string{"a@b.io", "+44 20 7946 0958", "4111 1111 1111 1111", "10.0.0.1"}
	for i, sp := range spans {
		assert.Equal(t, kinds[i], sp.Kind)
		assert.Equal(t, texts[i], s[sp.Start:sp.End])
	}
	out, counts := Replace(s, spans)
	assert.Equal(t, "mail [EMAIL], call [PHONE], card [CARD], ip [IP]", out)
	assert.Equal(t, [NumKinds]int{Email: 1, Phone: 1, Card: 1, IP: 1}, counts)
}

func TestFindAppends(t *testing.T) {
	prev := []Span{{Start: 100, End: 200, Kind: Email}}
	got := Find(prev, "x@y.zz")
	require.Len(t, got, 2)
	assert.Equal(t, prev[0], got[0], "earlier spans are kept and do not block new ones")
}

func TestChecksums(t *testing.T) {
	assert.True(t, luhn([]byte{4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}))
	assert.False(t, luhn([]byte{4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2}))
	assert.True(t, ibanChecksum([]byte("DE89370400440532013000")))
	assert.True(t, ibanChecksum([]byte("GB82WEST12345698765432")))
	assert.False(t, ibanChecksum([]byte("GB82WEST12345698765433")))
}

func TestKinds(t *testing.T) {
	for k := Kind(0); k < NumKinds; k++ {
		assert.Equal(t, "["+strings.ToUpper(k.String())+"]", k.Placeholder())
	}
}

// FuzzFind checks that Find never panics and returns sorted, non-overlapping
// spans within the text.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"a@b.io +44 20 7946 0958 4111 1111 1111 1111 DE89 3704 0044 0532 0130 00 10.0.0.1 2001:db8::1",
		"0000X:.:", "order #123456789", "(555) 123-4567", "::", "1.2.3.4.5", "@@@", "+(((",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spans := Find(nil, s)
		end := 0
		for _, sp := range spans {
			if sp.Start < end || sp.End <= sp.Start || sp.End > len(s) || sp.Kind >= NumKinds {
				t.Fatalf("bad span %+v in %q (%v)", sp, s, spans)
			}
			end = sp.End
		}
		out, _ := Replace(s, spans)
		if len(spans) == 0 && out != s {
			t.Fatalf("Replace changed %q", s)
		}
	})
}

func BenchmarkFind(b *testing.B) {
	texts := []string{
		"The courier never arrived and nobody answers the phone.",
		"Call me on +44 20 7946 0958 or mail jane@example.com about order #123456789.",
	}
	b.ReportAllocs()
	var buf []Span
	i := 0
	for b.Loop() {
		buf = Find(buf[:0], texts[i%len(texts)])
		i++
	}
}
