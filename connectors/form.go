package connectors

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
)

// Limits on form bodies.
const (
	MaxFormFields   = 1000
	maxMultipartMem = 8 << 20
)

// DecodeForm parses an application/x-www-form-urlencoded body.
func DecodeForm(req Request) (url.Values, error) {
	if err := RequireMediaType(req, "application/x-www-form-urlencoded"); err != nil {
		return nil, err
	}
	if n := bytes.Count(req.Body, []byte("&")) + 1; n > MaxFormFields {
		return nil, Malformedf("form has %d fields, limit %d", n, MaxFormFields)
	}
	v, err := url.ParseQuery(string(req.Body))
	if err != nil {
		return nil, Malformedf("invalid form body: %v", err)
	}
	return v, nil
}

// DecodeMultipart parses a multipart/form-data body into its text fields
// (first value of each); file parts are read and dropped.
func DecodeMultipart(req Request) (map[string]string, error) {
	if err := RequireMediaType(req, "multipart/form-data"); err != nil {
		return nil, err
	}
	_, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, Malformedf("multipart body without a boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(req.Body), params["boundary"])
	out := map[string]string{}
	for n := 0; ; n++ {
		if n >= MaxFormFields {
			return nil, Malformedf("multipart body has more than %d parts", MaxFormFields)
		}
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, Malformedf("invalid multipart body: %v", err)
		}
		b, err := io.ReadAll(io.LimitReader(p, maxMultipartMem))
		if err != nil {
			return nil, Malformedf("invalid multipart part %q: %v", p.FormName(), err)
		}
		if p.FileName() != "" || p.FormName() == "" {
			continue
		}
		if _, dup := out[p.FormName()]; !dup {
			out[p.FormName()] = string(b)
		}
	}
}

// FieldError names a missing or invalid field.
func FieldError(field, problem string) error {
	return fmt.Errorf("%w: %s %s", ErrMalformed, field, problem)
}
