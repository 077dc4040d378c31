package connectortest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Secret is the secret the suite configures.
const Secret = "test-secret"

// UpdateGoldenEnv names the environment variable that rewrites golden files.
const UpdateGoldenEnv = "UPDATE_GOLDEN"

// idPattern is the record id pattern of record.v1.schema.json.
var idPattern = regexp.MustCompile(`^fb_[0-9a-f]{32}$`)

var receivedAt = time.Date(2025, 3, 2, 10, 5, 0, 0, time.UTC)

// ReceivedAt is the fixed receive time of every request the suite builds,
// and the decoder clock: 2025-03-02T10:05:00Z.
func ReceivedAt() time.Time { return receivedAt }

// Option adjusts Run and Fuzz.
type Option func(*options)

type options struct {
	dir         string
	config      func(*connectors.SourceConfig)
	contentType string // full Content-Type header value of fixtures
	ext         string // fixture file extension
	strip       func(*connectors.Request)
	accepted    map[string]bool // media types the decoder takes besides contentType
	tokenAuth   bool            // the vendor authenticates, it does not sign the body
}

// WithDir reads fixtures from dir instead of "testdata".
func WithDir(dir string) Option { return func(o *options) { o.dir = dir } }

// WithConfig adjusts the SourceConfig the suite builds decoders with (for
// vendors that need Options); Type and Secrets are set before it runs.
func WithConfig(fn func(*connectors.SourceConfig)) Option {
	return func(o *options) { o.config = fn }
}

// WithContentType sets the Content-Type of fixture requests, hostile bodies
// and fuzz inputs, for vendors that do not send JSON (a form body, or
// "multipart/form-data; boundary=…" matching the fixtures' boundary).
func WithContentType(ct string) Option { return func(o *options) { o.contentType = ct } }

// WithFixtureExt reads fixtures named *<ext> (".form", ".multipart")
// instead of *.json; goldens stay <name>.golden.json.
func WithFixtureExt(ext string) Option { return func(o *options) { o.ext = ext } }

// WithStripSignature removes the signature from a signed request, for
// vendors that sign inside the body (Qualtrics' HMAC form field); the
// default clears the headers.
func WithStripSignature(fn func(*connectors.Request)) Option {
	return func(o *options) { o.strip = fn }
}

// WithAcceptedMediaTypes names further media types the decoder accepts
// (Freshdesk takes JSON and forms), so the hostile suite does not expect
// them to be refused with 415.
func WithAcceptedMediaTypes(types ...string) Option {
	return func(o *options) {
		if o.accepted == nil {
			o.accepted = map[string]bool{}
		}
		for _, t := range types {
			o.accepted[t] = true
		}
	}
}

// WithTokenAuth marks a vendor that authenticates with a token instead of
// signing the body (Freshdesk, Jotform): a tampered body still verifies.
func WithTokenAuth() Option { return func(o *options) { o.tokenAuth = true } }

func newOptions(opts []Option) options {
	o := options{dir: "testdata", contentType: "application/json", ext: ".json"}
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// request builds a suite request of body with the fixtures' content type.
func (o options) request(body []byte) connectors.Request {
	req := NewRequest(body)
	req.ContentType = mediaType(o.contentType)
	if o.contentType != "application/json" {
		req.Header.Set("Content-Type", o.contentType)
	}
	return req
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// NewRequest builds a POST of body with content type application/json,
// an empty header and ReceivedAt().
func NewRequest(body []byte) connectors.Request {
	return connectors.Request{
		Method:      http.MethodPost,
		ContentType: "application/json",
		Header:      http.Header{},
		Body:        body,
		ReceivedAt:  receivedAt,
	}
}

// Settings returns the settings the suite uses for typ: the source is
// named after the type and the clock stands at ReceivedAt().
func Settings(typ string) connectors.Settings {
	return connectors.Settings{Name: typ, Now: ReceivedAt}
}

// New builds a decoder of f with the given secrets and the suite settings.
func New(tb testing.TB, f connectors.Factory, secrets ...string) connectors.Decoder {
	tb.Helper()
	return newDecoder(tb, f, options{}, secrets...)
}

func newDecoder(tb testing.TB, f connectors.Factory, o options, secrets ...string) connectors.Decoder {
	tb.Helper()
	cfg := connectors.SourceConfig{Type: f.Type, Secrets: secrets}
	if o.config != nil {
		o.config(&cfg)
	}
	require.NotNil(tb, f.New, "Factory.New is nil")
	d, err := f.New(cfg, Settings(f.Type))
	require.NoError(tb, err, "Factory.New")
	require.NotNil(tb, d, "Factory.New returned a nil decoder")
	return d
}

// Fixture is one webhook body from testdata.
type Fixture struct {
	Name string // file name without .json
	Path string
	Body []byte
}

// Fixtures returns the fixtures in dir: every *.json except *.golden.json
// and signatures.json, sorted by name.
func Fixtures(tb testing.TB, dir string) []Fixture {
	tb.Helper()
	return fixturesExt(tb, dir, ".json")
}

func fixturesExt(tb testing.TB, dir, ext string) []Fixture {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	require.NoError(tb, err)
	sort.Strings(paths)
	var out []Fixture
	for _, p := range paths {
		base := filepath.Base(p)
		if strings.HasSuffix(base, ".golden.json") || base == "signatures.json" {
			continue
		}
		b, err := os.ReadFile(p)
		require.NoError(tb, err)
		out = append(out, Fixture{Name: strings.TrimSuffix(base, ext), Path: p, Body: b})
	}
	return out
}

var sentinels = []error{
	connectors.ErrUnauthorized,
	connectors.ErrMalformed,
	connectors.ErrUnsupportedMediaType,
	connectors.ErrTooLarge,
	connectors.ErrIgnored,
	connectors.ErrUpstream,
}

// RequireSentinel fails unless err wraps exactly one sentinel of the
// closed set in connectors.
func RequireSentinel(tb testing.TB, err error) {
	tb.Helper()
	require.Error(tb, err)
	var n int
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	require.Equalf(tb, 1, n, "error %q wraps %d sentinels of the closed set, want exactly 1", err, n)
}

// Decode signs req when d is a Signer and decodes it, turning a panic into
// a test failure.
func Decode(tb testing.TB, d connectors.Decoder, req connectors.Request) (recs []feedback.Record, err error) {
	tb.Helper()
	if s, ok := d.(connectors.Signer); ok {
		require.NoError(tb, s.Sign(&req, receivedAt), "Sign")
	}
	return safeDecode(tb, d, req)
}

func safeDecode(tb testing.TB, d connectors.Decoder, req connectors.Request) (recs []feedback.Record, err error) {
	tb.Helper()
	defer func() {
		if p := recover(); p != nil {
			tb.Fatalf("Decode panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return d.Decode(context.Background(), req)
}

// CheckRecords fails unless every record validates and marshals to JSON.
func CheckRecords(tb testing.TB, recs []feedback.Record) {
	tb.Helper()
	for i := range recs {
		require.NoErrorf(tb, recs[i].Validate(), "record %d does not validate", i)
		_, err := json.Marshal(recs[i])
		require.NoErrorf(tb, err, "record %d does not marshal", i)
	}
}

// Run runs the conformance suite for f. See the package documentation.
func Run(t *testing.T, f connectors.Factory, opts ...Option) {
	t.Helper()
	o := newOptions(opts)
	t.Run("factory", func(t *testing.T) { checkFactory(t, f) })
	if t.Failed() {
		return
	}
	t.Run("new", func(t *testing.T) { checkNew(t, f, o) })
	fixtures := fixturesExt(t, o.dir, o.ext)
	t.Run("fixtures", func(t *testing.T) {
		require.NotEmpty(t, fixtures, "no fixtures in %s", o.dir)
		for _, fx := range fixtures {
			t.Run(fx.Name, func(t *testing.T) { checkFixture(t, f, o, fx) })
		}
	})
	d := newDecoder(t, f, o, Secret)
	if _, ok := d.(connectors.Verifier); ok {
		t.Run("signing", func(t *testing.T) {
			for _, fx := range fixtures {
				t.Run(fx.Name, func(t *testing.T) { checkSigning(t, f, o, fx) })
			}
		})
		t.Run("signatures.json", func(t *testing.T) {
			RunSignatureVectors(t, f, filepath.Join(o.dir, "signatures.json"), opts...)
		})
	}
	t.Run("hostile", func(t *testing.T) { checkHostile(t, d, o, fixtures) })
}

func checkFactory(t *testing.T, f connectors.Factory) {
	require.NotEmpty(t, f.Type, "Factory.Type")
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(wd), f.Type, "Factory.Type must equal the package folder name")
	assert.True(t, f.Kind.Valid(), "Factory.Kind %q", f.Kind)
	assert.NotNil(t, f.New, "Factory.New")
}

func checkNew(t *testing.T, f connectors.Factory, o options) {
	d := newDecoder(t, f, o, Secret)
	_, isVerifier := d.(connectors.Verifier)
	if s, ok := d.(connectors.Signer); ok {
		require.True(t, isVerifier, "a Signer must also be a Verifier")
		req := o.request([]byte(`{}`))
		req.Header = nil
		require.NoError(t, s.Sign(&req, receivedAt), "Sign with a nil Header")
		require.NotNil(t, req.Header, "Sign must create the Header")
		require.True(t, len(req.Header) > 0 || string(req.Body) != `{}`, "Sign must set headers or sign the body")
	}

	// Zero secrets: New works, Verify refuses everything.
	empty := newDecoder(t, f, o)
	if v, ok := empty.(connectors.Verifier); ok {
		req := o.request([]byte(`{}`))
		if s, ok := d.(connectors.Signer); ok {
			require.NoError(t, s.Sign(&req, receivedAt))
		}
		err := v.Verify(req)
		require.ErrorIs(t, err, connectors.ErrSignatureInvalid, "Verify without a configured secret")
	}
}

func checkFixture(t *testing.T, f connectors.Factory, o options, fx Fixture) {
	d := newDecoder(t, f, o, Secret)
	req := o.request(fx.Body)
	if s, ok := d.(connectors.Signer); ok {
		require.NoError(t, s.Sign(&req, receivedAt), "Sign")
	}
	if v, ok := d.(connectors.Verifier); ok {
		require.NoError(t, v.Verify(req), "Verify a signed fixture")
	}
	recs, err := safeDecode(t, d, req)
	require.NoError(t, err, "Decode")
	require.NotEmpty(t, recs, "fixture decodes to no record")
	CheckRecords(t, recs)
	for i, r := range recs {
		assert.Equalf(t, f.Type, r.Source, "record %d: source", i)
		assert.Truef(t, r.ReceivedAt.Equal(receivedAt), "record %d: received_at %v, want %v", i, r.ReceivedAt, receivedAt)
		assert.Equalf(t, time.UTC, r.OccurredAt.Location(), "record %d: occurred_at must be UTC", i)
		assert.Regexpf(t, idPattern, r.ID, "record %d: id must be feedback.NewID(source, external id)", i)
		assert.NotEmptyf(t, r.EventID, "record %d: event_id", i)
	}

	got, err := json.MarshalIndent(recs, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	golden := strings.TrimSuffix(fx.Path, o.ext) + ".golden.json"
	if os.Getenv(UpdateGoldenEnv) != "" {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "missing golden file; run %s=1 go test ./connectors/...", UpdateGoldenEnv)
	assert.Equal(t, string(want), string(got), "records differ from %s; rerun with %s=1 if the change is intended", golden, UpdateGoldenEnv)

	// Deterministic: decoding the same request again gives the same bytes.
	again, err := safeDecode(t, d, req)
	require.NoError(t, err)
	againJSON, err := json.MarshalIndent(again, "", "  ")
	require.NoError(t, err)
	assert.Equal(t, string(got), string(append(againJSON, '\n')), "Decode is not deterministic")

	// Safe for concurrent use (meaningful under -race).
	var wg sync.WaitGroup
	results := make([][]byte, 4)
	for i := range results {
		wg.Go(func() {
			rs, err := d.Decode(context.Background(), req)
			if err == nil {
				results[i], _ = json.Marshal(rs)
			}
		})
	}
	wg.Wait()
	first, _ := json.Marshal(recs)
	for i, r := range results {
		assert.Equalf(t, string(first), string(r), "concurrent Decode %d differs", i)
	}
}

func checkSigning(t *testing.T, f connectors.Factory, o options, fx Fixture) {
	d := newDecoder(t, f, o, Secret)
	s, ok := d.(connectors.Signer)
	require.True(t, ok, "a Verifier must also implement Signer so the suite can sign fixtures")
	v := d.(connectors.Verifier)

	req := o.request(fx.Body)
	require.NoError(t, s.Sign(&req, receivedAt))
	require.NoError(t, v.Verify(req), "signed request must verify")

	t.Run("tampered body", func(t *testing.T) {
		if o.tokenAuth {
			t.Skip("token authentication does not cover the body")
		}
		tampered := req
		tampered.Body = bytes.Clone(req.Body)
		tampered.Body[len(tampered.Body)/2] ^= 0x01
		err := v.Verify(tampered)
		require.ErrorIs(t, err, connectors.ErrSignatureInvalid)
		assert.Equal(t, connectors.ReasonSignatureInvalid, connectors.Reason(err))
	})
	t.Run("wrong secret", func(t *testing.T) {
		other := newDecoder(t, f, o, "another-secret").(connectors.Verifier)
		require.ErrorIs(t, other.Verify(req), connectors.ErrSignatureInvalid)
	})
	t.Run("rotation", func(t *testing.T) {
		both := newDecoder(t, f, o, "new-secret", Secret).(connectors.Verifier)
		require.NoError(t, both.Verify(req), "the second configured secret must verify")
		signedByNew := o.request(fx.Body)
		require.NoError(t, newDecoder(t, f, o, "new-secret").(connectors.Signer).Sign(&signedByNew, receivedAt))
		require.NoError(t, both.Verify(signedByNew), "the first configured secret must verify")
		require.ErrorIs(t, v.Verify(signedByNew), connectors.ErrSignatureInvalid)
	})
	t.Run("missing signature", func(t *testing.T) {
		bare := req
		if o.strip != nil {
			bare.Header = req.Header.Clone()
			bare.Body = bytes.Clone(req.Body)
			o.strip(&bare)
			require.ErrorIs(t, v.Verify(bare), connectors.ErrSignatureMissing)
			return
		}
		bare.Header = http.Header{}
		if o.contentType != "application/json" {
			bare.Header.Set("Content-Type", o.contentType)
		}
		err := v.Verify(bare)
		require.ErrorIs(t, err, connectors.ErrSignatureMissing)
		bare.Header = nil
		require.ErrorIs(t, v.Verify(bare), connectors.ErrSignatureMissing, "nil Header")
	})
}

func checkHostile(t *testing.T, d connectors.Decoder, o options, fixtures []Fixture) {
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	deepObj := strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000)
	cases := []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"object", []byte(`{}`)},
		{"array", []byte(`[]`)},
		{"null", []byte(`null`)},
		{"string", []byte(`"hello"`)},
		{"number", []byte(`42`)},
		{"garbage", []byte("\x00\x01not json at all }{")},
		{"truncated", []byte(`{"id":"abc","event_type":`)},
		{"invalid utf-8", []byte("{\"\xff\xfe\":\"\xc3\x28\"}")},
		{"deep arrays", []byte(deep)},
		{"deep objects", []byte(deepObj)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := Decode(t, d, o.request(c.body))
			RequireSentinel(t, err)
			require.Empty(t, recs, "records returned with an error")
		})
	}
	body := []byte(`{}`)
	if len(fixtures) > 0 {
		body = fixtures[0].Body
	}
	wrong := []string{"text/plain", ""}
	for _, ct := range []string{"application/x-www-form-urlencoded", "application/json"} {
		if ct != mediaType(o.contentType) && !o.accepted[ct] {
			wrong = append(wrong, ct)
		}
	}
	for _, ct := range wrong {
		t.Run(fmt.Sprintf("content type %q", ct), func(t *testing.T) {
			req := NewRequest(body)
			req.ContentType = ct
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			recs, err := Decode(t, d, req)
			require.ErrorIs(t, err, connectors.ErrUnsupportedMediaType)
			RequireSentinel(t, err)
			require.Empty(t, recs)
		})
	}
}

// Fuzz seeds f with the fixtures in testdata (and a few hostile bodies) and
// fuzzes Decode of f's decoder. The invariant: no panic; on error, no
// records and exactly one sentinel wrapped; otherwise every record validates
// and marshals. Signed bodies always verify.
func Fuzz(f *testing.F, factory connectors.Factory, opts ...Option) {
	f.Helper()
	o := newOptions(opts)
	for _, fx := range fixturesExt(f, o.dir, o.ext) {
		f.Add(fx.Body)
	}
	for _, s := range []string{"", "{}", "[]", "null", `{"id":1}`} {
		f.Add([]byte(s))
	}
	d := newDecoder(f, factory, o, Secret)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := o.request(body)
		if s, ok := d.(connectors.Signer); ok {
			require.NoError(t, s.Sign(&req, receivedAt))
			require.NoError(t, d.(connectors.Verifier).Verify(req), "a signed body must verify")
		}
		recs, err := safeDecode(t, d, req)
		if err != nil {
			RequireSentinel(t, err)
			require.Empty(t, recs, "records returned with an error")
			return
		}
		CheckRecords(t, recs)
	})
}
