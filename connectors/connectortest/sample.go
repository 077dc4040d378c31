package connectortest

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
)

// multipartVendors keep their fixtures as JSON objects of part name → value
// ("multipart parts written as JSON"); Sample encodes them.
var multipartVendors = map[string]bool{"jotform": true}

// Sample returns the first fixture of the vendor whose testdata is dir, as
// the body and Content-Type header the vendor posts it with: *.json as
// application/json (multipart for vendors that post forms with files),
// *.form as application/x-www-form-urlencoded.
func Sample(tb testing.TB, typ, dir string) (body []byte, contentType string) {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(tb, err)
	sort.Strings(paths)
	for _, p := range paths {
		base := filepath.Base(p)
		if strings.Contains(base, ".golden.") || base == "signatures.json" {
			continue
		}
		switch filepath.Ext(base) {
		case ".json":
			b, err := os.ReadFile(p)
			require.NoError(tb, err)
			if multipartVendors[typ] {
				return multipartFromParts(tb, b)
			}
			return b, "application/json"
		case ".form":
			b, err := os.ReadFile(p)
			require.NoError(tb, err)
			return bytes.TrimSpace(b), "application/x-www-form-urlencoded"
		}
	}
	tb.Fatalf("no fixture for %s in %s", typ, dir)
	return nil, ""
}

func multipartFromParts(tb testing.TB, b []byte) ([]byte, string) {
	tb.Helper()
	var parts map[string]string
	require.NoError(tb, json.Unmarshal(b, &parts))
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, n := range names {
		require.NoError(tb, w.WriteField(n, parts[n]))
	}
	require.NoError(tb, w.Close())
	return buf.Bytes(), w.FormDataContentType()
}

// SignAs signs body the way vendor f does, with secret, at now, and returns
// the (possibly rewritten) body and the headers to send, Content-Type
// included. Vendors that sign nothing get no signature headers.
func SignAs(tb testing.TB, f connectors.Factory, secret, uri string, body []byte, contentType string, now time.Time) ([]byte, http.Header) {
	tb.Helper()
	dec, err := f.New(connectors.SourceConfig{Type: f.Type, Secrets: []string{secret}}, connectors.Settings{Name: f.Type})
	require.NoError(tb, err)
	mt, _, _ := strings.Cut(contentType, ";")
	req := connectors.Request{Method: http.MethodPost, URI: uri, ContentType: strings.TrimSpace(mt), Header: http.Header{}, Body: body, ReceivedAt: now}
	if s, ok := dec.(connectors.Signer); ok {
		require.NoError(tb, s.Sign(&req, now), "%s: sign", f.Type)
	}
	req.Header.Set("Content-Type", contentType)
	return req.Body, req.Header
}
