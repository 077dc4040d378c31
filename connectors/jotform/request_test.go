package jotform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

// boundary is fixed so the bodies built from fixtures are deterministic.
const boundary = "corridor-jotform-test-boundary"

// partOrder is the order Jotform's documented fields are written in;
// other parts follow by name.
var partOrder = []string{FieldFormID, FieldSubmissionID, FieldType, FieldFormTitle, FieldRawRequest}

// fixtureRequest turns a fixture body (a JSON object of part name →
// string value, "multipart parts shown as JSON" as in VENDORS.md §1.6) into
// the multipart/form-data request Jotform sends. It is the body builder a
// connectortest option would take (see README, "Conformance").
func fixtureRequest(body []byte) (connectors.Request, error) {
	var parts map[string]string
	if err := json.Unmarshal(body, &parts); err != nil {
		return connectors.Request{}, fmt.Errorf("fixture is not a JSON object of strings: %w", err)
	}
	return multipartRequest(parts), nil
}

// multipartRequest encodes parts as multipart/form-data, as Jotform posts
// them, with the suite's receive time.
func multipartRequest(parts map[string]string) connectors.Request {
	names := make([]string, 0, len(parts))
	seen := map[string]bool{}
	for _, n := range partOrder {
		if _, ok := parts[n]; ok {
			names = append(names, n)
			seen[n] = true
		}
	}
	var rest []string
	for n := range parts {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	names = append(names, rest...)

	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		panic(err)
	}
	for _, n := range names {
		if err := w.WriteField(n, parts[n]); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return rawRequest(buf.Bytes(), w.FormDataContentType())
}

// formRequest encodes parts as application/x-www-form-urlencoded, the
// other encoding a form post can take, with the suite's receive time.
func formRequest(parts map[string]string) connectors.Request {
	vals := url.Values{}
	for n, v := range parts {
		vals.Set(n, v)
	}
	req := connectortest.NewRequest([]byte(vals.Encode()))
	req.ContentType = mediaForm
	req.Header.Set("Content-Type", mediaForm)
	return req
}

// formBody builds an application/x-www-form-urlencoded request of body.
func formBody(body string) connectors.Request {
	r := formRequest(nil)
	r.Body = []byte(body)
	return r
}

// rawRequest builds a request of body with the full Content-Type header.
func rawRequest(body []byte, contentType string) connectors.Request {
	req := connectortest.NewRequest(body)
	req.ContentType = "multipart/form-data"
	req.Header = http.Header{}
	req.Header.Set("Content-Type", contentType)
	return req
}

// fields returns the documented parts with rawRequest set to raw.
func fields(raw string) map[string]string {
	return map[string]string{
		FieldFormID: "241234567890123", FieldSubmissionID: "5912345678901234567",
		FieldType: "WEB", FieldFormTitle: "Post-purchase survey", FieldRawRequest: raw,
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
