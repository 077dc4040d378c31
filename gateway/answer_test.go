package gateway

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
)

func TestAppendAnswerMatchesFiberJSON(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status string
		ids    []string
	}{
		{"one id", "accepted", []string{"fb_0123456789abcdef0123456789abcdef"}},
		{"two ids", "accepted", []string{"fb_a", "fb_b"}},
		{"none", "accepted", []string{}},
		{"escapes", "accepted", []string{`a"b\c`, "<&>", "caf\u00e9", "\u2028", "\x01"}},
		{"duplicate", "duplicate", []string{"fb_a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(fiber.Map{"status": tc.status, "ids": tc.ids})
			require.NoError(t, err)
			assert.Equal(t, string(want), string(appendAnswer(nil, tc.status, tc.ids)))
		})
	}
}

func TestCopyHeaderMatchesHeaderAdd(t *testing.T) {
	var h fasthttp.RequestHeader
	raw := "POST /v1/webhooks/typeform HTTP/1.1\r\n" +
		"Host: example.test\r\n" +
		"content-type: application/json; charset=utf-8\r\n" +
		"Typeform-Signature: sha256=abc=\r\n" +
		"x-custom_thing: one\r\n" +
		"X-Custom_Thing: two\r\n" +
		"X-Empty:\r\n" +
		"Content-Length: 0\r\n\r\n"
	require.NoError(t, h.Read(bufio.NewReader(strings.NewReader(raw))))

	want := make(http.Header)
	h.VisitAll(func(k, v []byte) { want.Add(string(k), string(v)) })
	got := copyHeader(&h)
	assert.Equal(t, want, got)
	assert.Equal(t, []string{"one", "two"}, got.Values("X-Custom_thing"))

	// The copy must not share memory with fasthttp's reused buffers.
	h.Reset()
	assert.Equal(t, "sha256=abc=", got.Get("Typeform-Signature"))
}
