package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/textproto"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/spool"
)

// Config is the HTTP side of the gateway.
type Config struct {
	// HTTPAddr is where the server listens. Default: ":8080".
	HTTPAddr string `yaml:"http_addr"`
	// BodyLimit is the largest webhook body accepted, in bytes; larger ones
	// get 413. Default: 1048576 (1 MiB).
	BodyLimit int `yaml:"body_limit"`
	// WriteTimeout bounds each request's Kafka write; when the broker cannot
	// acknowledge in time the request gets 503 with Retry-After. Default: 5s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// RetryAfter is the Retry-After sent with 503 answers. Default: 5s.
	RetryAfter time.Duration `yaml:"retry_after"`
	// ReadyTimeout bounds the broker check behind /readyz. Default: 2s.
	ReadyTimeout time.Duration `yaml:"ready_timeout"`
	// EnrichTimeout bounds all vendor API calls of one request (SurveyMonkey,
	// Qualtrics); then 503 so the vendor retries. Default: 10s.
	EnrichTimeout time.Duration `yaml:"enrich_timeout"`
	// DedupWindow is how long a durable record version is remembered, so a
	// redelivery of the same vendor event within it writes nothing and is
	// answered 200 {"status":"duplicate"}. 0 disables. Default: 10m.
	DedupWindow time.Duration `yaml:"dedup_window"`
	// DedupMaxEntries bounds the memory of the dedup window. Default: 100000.
	DedupMaxEntries int `yaml:"dedup_max_entries"`
	// MaxInflight bounds webhook requests processed at once; beyond it, 503
	// with Retry-After, never a queue. Default: 4096.
	MaxInflight int `yaml:"max_inflight"`
}

// NewDefaultConfig returns the defaults.
func NewDefaultConfig() Config {
	return Config{
		HTTPAddr:     ":8080",
		BodyLimit:    1 << 20,
		WriteTimeout: 5 * time.Second,
		RetryAfter:   5 * time.Second,
		ReadyTimeout: 2 * time.Second,

		EnrichTimeout:   10 * time.Second,
		DedupWindow:     10 * time.Minute,
		DedupMaxEntries: 100_000,
		MaxInflight:     4096,
	}
}

// Validate reports every problem with c.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		errs = append(errs, fmt.Errorf("http_addr: %q is not [host]:port", c.HTTPAddr))
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, fmt.Errorf("body_limit: %d, must be >= 1024", c.BodyLimit))
	}
	if c.WriteTimeout <= 0 {
		errs = append(errs, fmt.Errorf("write_timeout: %v, must be > 0", c.WriteTimeout))
	}
	if c.RetryAfter < time.Second {
		errs = append(errs, fmt.Errorf("retry_after: %v, must be >= 1s", c.RetryAfter))
	}
	if c.ReadyTimeout <= 0 {
		errs = append(errs, fmt.Errorf("ready_timeout: %v, must be > 0", c.ReadyTimeout))
	}
	if c.EnrichTimeout <= 0 {
		errs = append(errs, fmt.Errorf("enrich_timeout: %v, must be > 0", c.EnrichTimeout))
	}
	if c.DedupWindow < 0 {
		errs = append(errs, fmt.Errorf("dedup_window: %v, must be >= 0", c.DedupWindow))
	}
	if c.MaxInflight < 1 {
		errs = append(errs, fmt.Errorf("max_inflight: %d, must be >= 1", c.MaxInflight))
	}
	if c.DedupWindow > 0 && c.DedupMaxEntries < 1 {
		errs = append(errs, fmt.Errorf("dedup_max_entries: %d, must be >= 1 when dedup_window is set", c.DedupMaxEntries))
	}
	return errors.Join(errs...)
}

// Settings are the gateway's collaborators, set in code.
type Settings struct {
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	Sink       sink.Sink
	Topics     sink.Topics
	Analyzer   Analyzer
	Sources    []Source
	Now        func() time.Time
	// Metrics are built from Registerer when nil; pass the ones whose
	// CallObserver the sources were given.
	Metrics *Metrics
	// Spool keeps accepted messages while Kafka is unavailable; nil answers
	// 503 instead. RunReplayer drains it.
	Spool *spool.Spool
}

// Server is the webhook gateway.
type Server struct {
	inflight atomic.Int64
	limits   map[string]*bucket
	cfg      Config
	app      *fiber.App
	log      *slog.Logger
	pipeline *Pipeline
	sources  map[string]*Source
	now      func() time.Time
	m        *Metrics
	sink     sink.Sink
}

// New builds a ready server. It does not listen.
func New(cfg Config, set Settings) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("gateway: config: %w", err)
	}
	if set.Sink == nil || set.Analyzer == nil || set.Registerer == nil || set.Gatherer == nil {
		return nil, errors.New("gateway: settings need a sink, an analyzer, a registerer and a gatherer")
	}
	if set.Logger == nil {
		set.Logger = slog.Default()
	}
	if set.Now == nil {
		set.Now = time.Now
	}
	m := set.Metrics
	if m == nil {
		m = NewMetrics(set.Registerer)
	}
	s := &Server{
		cfg: cfg,
		log: set.Logger,
		pipeline: &Pipeline{
			analyzer: set.Analyzer, sink: set.Sink, topics: set.Topics, m: m,
			dedup: newDedup(cfg.DedupWindow, cfg.DedupMaxEntries), enrichTimeout: cfg.EnrichTimeout, now: set.Now,
			spool: set.Spool,
		},
		limits:  make(map[string]*bucket),
		sources: make(map[string]*Source, len(set.Sources)),
		now:     set.Now,
		m:       m,
		sink:    set.Sink,
	}
	if set.Spool != nil {
		m.watchSpool(set.Spool)
	}
	if ps, ok := set.Sink.(producerStats); ok {
		m.watchProducer(ps)
	}
	for i := range set.Sources {
		src := set.Sources[i]
		// Resolving the children also pre-creates them, so dashboards see
		// zeroes, not gaps.
		src.metrics = m.forSource(&src)
		s.sources[src.Name] = &src
		s.limits[src.Name] = newBucket(src.Config.RateLimit, src.Config.Burst)
		m.rejections.WithLabelValues(src.Name, connectors.ReasonSignatureInvalid)
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "corridor",
		BodyLimit:             cfg.BodyLimit,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          s.fiberError,
		// Decoders parse multipart bodies themselves, with limits; fasthttp
		// must not reject (or spend time on) them before the handler.
		DisablePreParseMultipartForm: true,
	})
	// A panic is a bug, never an answer to input: recover it into a 500
	// (counted, logged once with the stack) instead of losing the process.
	s.app.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, e any) {
			s.log.Error("panic in request handler", "path", c.Path(), "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
		},
	}))
	s.app.Post("/v1/webhooks/:source", s.handleWebhook)
	// Vendors check an endpoint exists before sending to it (SurveyMonkey's
	// HEAD); Fiber answers HEAD with the GET route.
	s.app.Get("/v1/webhooks/:source", s.handleCheck)
	s.app.Get("/v1/sources", s.handleSources)
	s.app.Get("/livez", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	s.app.Get("/readyz", s.handleReady)
	metricsHandler := promhttp.HandlerFor(set.Gatherer, promhttp.HandlerOpts{Registry: set.Registerer})
	s.app.Get("/metrics", adaptHTTP(metricsHandler))
	return s, nil
}

// Serve answers requests on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.app.Listener(ln)
}

// Shutdown stops accepting connections and waits for in-flight requests,
// at most until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}

// Pipeline exposes the request pipeline (benchmarks drive it directly).
func (s *Server) Pipeline() *Pipeline { return s.pipeline }

// Source returns the configured source called name.
func (s *Server) Source(name string) (*Source, bool) {
	src, ok := s.sources[name]
	return src, ok
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *Server) handleWebhook(c *fiber.Ctx) error {
	start := s.now()
	s.m.inflight.Inc()
	defer s.m.inflight.Dec()
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)

	name := c.Params("source")
	label := unknownLabel
	src, ok := s.sources[name]
	if ok {
		label = src.Name
	}
	// Fiber reuses its buffers once the handler returns: copy what outlives it.
	body := append([]byte(nil), c.Body()...)
	header := copyHeader(&c.Request().Header)
	rawCT := string(c.Request().Header.ContentType())
	raw := &sink.Raw{
		Source:      label,
		Method:      c.Method(),
		URI:         string(c.Request().RequestURI()),
		ContentType: rawCT,
		Header:      header,
		Body:        body,
		ReceivedAt:  start.UTC(),
	}
	var sm *sourceMetrics // nil for an unknown source
	if ok {
		sm = src.metrics
	}
	s.m.sizeObserver(sm, label).Observe(float64(len(body)))
	if ok && !utf8.Valid(body) {
		// Decoders replace invalid sequences with U+FFFD; count the request.
		s.m.invalidUTF8.WithLabelValues(label).Inc()
	}
	defer func() {
		s.m.durationObserver(sm, label).Observe(s.now().Sub(start).Seconds())
		s.m.requestCounter(sm, label, c.Response().StatusCode()).Inc()
	}()

	if !ok {
		return s.reject(c, label, raw, fmt.Errorf("%w: %q (configured: %s)", errUnknownSource, name, strings.Join(s.sourceNames(), ", ")))
	}
	if n > int64(s.cfg.MaxInflight) {
		return s.reject(c, label, raw, fmt.Errorf("%w: limit %d", errOverloaded, s.cfg.MaxInflight))
	}
	if allowed, wait := s.limits[name].allow(start); !allowed {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(wait.Seconds()+0.999))))
		return s.reject(c, label, raw, fmt.Errorf("%w: %g requests/s for %s", errRateLimited, src.Config.RateLimit, name))
	}
	req := requestOf(raw)
	if src.Handshaker != nil {
		resp, handled, err := src.Handshaker.Handshake(req)
		if err != nil {
			return s.reject(c, label, raw, err)
		}
		if handled {
			return s.answerHandshake(c, resp)
		}
	}
	batch, err := s.pipeline.Prepare(c.UserContext(), src, raw, req)
	if err != nil {
		return s.reject(c, label, raw, err)
	}
	ids := make([]string, len(batch.Records))
	for i := range batch.Records {
		ids[i] = batch.Records[i].ID
	}
	if batch.Duplicate {
		return answerIDs(c, "duplicate", ids)
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.WriteTimeout)
	defer cancel()
	if err := s.pipeline.Commit(ctx, src, batch); err != nil {
		return s.reject(c, label, raw, err)
	}
	if batch.Ignored != nil {
		s.m.rejections.WithLabelValues(label, connectors.ReasonIgnored).Inc()
		return c.Status(http.StatusAccepted).JSON(fiber.Map{"status": "ignored", "reason": batch.Ignored.Error()})
	}
	return answerIDs(c, "accepted", ids)
}

// answerIDs answers 200 {"ids":[...],"status":status}.
func answerIDs(c *fiber.Ctx, status string, ids []string) error {
	c.Status(http.StatusOK).Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	return c.Send(appendAnswer(make([]byte, 0, 32+len(ids)*40), status, ids))
}

// appendAnswer appends {"ids":[...],"status":status}: what c.JSON writes for
// fiber.Map{"status": status, "ids": ids}, without a map and reflection on
// the hot path.
func appendAnswer(dst []byte, status string, ids []string) []byte {
	dst = append(dst, `{"ids":[`...)
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = feedback.AppendJSONString(dst, id)
	}
	dst = append(dst, `],"status":`...)
	dst = feedback.AppendJSONString(dst, status)
	return append(dst, '}')
}

// copyHeader copies the request headers into an http.Header that outlives
// the request, with canonical keys as Header.Add would make them. All names
// and values share one string and one []string backing array, so the copy
// costs a handful of allocations whatever the number of headers.
func copyHeader(h *fasthttp.RequestHeader) http.Header {
	n, size := 0, 0
	h.VisitAll(func(k, v []byte) {
		n++
		size += len(k) + len(v)
	})
	buf := make([]byte, 0, size)
	h.VisitAll(func(k, v []byte) {
		buf = append(buf, k...)
		buf = append(buf, v...)
	})
	all := string(buf)
	out := make(http.Header, n)
	vals := make([]string, n)
	i, off := 0, 0
	h.VisitAll(func(k, v []byte) {
		key := textproto.CanonicalMIMEHeaderKey(all[off : off+len(k)])
		off += len(k)
		vals[i] = all[off : off+len(v)]
		off += len(v)
		if prev, ok := out[key]; ok {
			out[key] = append(prev, vals[i])
		} else {
			out[key] = vals[i : i+1 : i+1]
		}
		i++
	})
	return out
}

func (s *Server) answerHandshake(c *fiber.Ctx, resp connectors.Response) error {
	for k, vs := range resp.Header {
		for _, v := range vs {
			c.Set(k, v)
		}
	}
	if resp.ContentType != "" {
		c.Set(fiber.HeaderContentType, resp.ContentType)
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	return c.Status(status).Send(resp.Body)
}

// handleCheck answers a vendor's check that the endpoint exists.
func (s *Server) handleCheck(c *fiber.Ctx) error {
	if _, ok := s.sources[c.Params("source")]; !ok {
		return c.Status(http.StatusNotFound).JSON(errorBody{Error: errorDetail{Code: reasonUnknownSource, Message: fmt.Sprintf("no source %q is configured", c.Params("source"))}})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

// reject answers err, counts it and, when the bytes arrived intact, keeps
// them in the dead-letter topic.
func (s *Server) reject(c *fiber.Ctx, label string, raw *sink.Raw, err error) error {
	f := classify(err)
	s.m.rejections.WithLabelValues(label, f.reason).Inc()
	if f.dlq {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.WriteTimeout)
		defer cancel()
		// The sender gets the true answer whatever happens here; a failed
		// dead-letter write is counted in
		// corridor_sink_messages_total{stream="dlq",outcome="failed"}.
		_ = s.pipeline.DeadLetter(ctx, raw, f.reason, err.Error())
	}
	if f.retry && len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(s.cfg.RetryAfter.Seconds())))
	}
	return c.Status(f.status).JSON(errorBody{Error: errorDetail{Code: f.reason, Message: err.Error()}})
}

// fiberError answers errors raised by Fiber itself (body over the limit,
// unknown route, wrong method) with the same JSON shape.
func (s *Server) fiberError(c *fiber.Ctx, err error) error {
	status, code := http.StatusInternalServerError, connectors.ReasonInternal
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status = fe.Code
		switch fe.Code {
		case http.StatusRequestEntityTooLarge:
			code = connectors.ReasonTooLarge
			err = fmt.Errorf("body exceeds the %d-byte limit", s.cfg.BodyLimit)
		case http.StatusNotFound:
			code = "not_found"
		case http.StatusMethodNotAllowed:
			code = "method_not_allowed"
		default:
			code = "bad_request"
		}
	}
	if strings.HasPrefix(c.Path(), "/v1/webhooks/") {
		// c.Path() aliases Fiber's reused buffer: label with our own copy
		// of the name, never with request memory.
		label := unknownLabel
		if src, ok := s.sources[strings.TrimPrefix(c.Path(), "/v1/webhooks/")]; ok {
			label = src.Name
		}
		s.m.rejections.WithLabelValues(label, code).Inc()
		s.m.requests.WithLabelValues(label, strconv.Itoa(status)).Inc()
	}
	return c.Status(status).JSON(errorBody{Error: errorDetail{Code: code, Message: err.Error()}})
}

func (s *Server) handleReady(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.ReadyTimeout)
	defer cancel()
	if err := s.sink.Ready(ctx); err != nil {
		return c.Status(http.StatusServiceUnavailable).JSON(errorBody{Error: errorDetail{Code: "broker_unavailable", Message: err.Error()}})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

type sourceInfo struct {
	Name      string              `json:"name"`
	Type      string              `json:"type"`
	Kind      string              `json:"kind"`
	Route     string              `json:"route"`
	Verified  bool                `json:"verified"`
	Secrets   int                 `json:"secrets"`
	Tolerance string              `json:"tolerance,omitempty"`
	Defaults  connectors.Defaults `json:"defaults"`
}

func (s *Server) handleSources(c *fiber.Ctx) error {
	out := make([]sourceInfo, 0, len(s.sources))
	for _, name := range s.sourceNames() {
		src := s.sources[name]
		out = append(out, sourceInfo{
			Name:      src.Name,
			Type:      src.Type,
			Kind:      string(src.Kind),
			Route:     "/v1/webhooks/" + src.Name,
			Verified:  src.Verifier != nil,
			Secrets:   len(src.Config.Secrets),
			Tolerance: src.Config.ToleranceOrDefault().String(),
			Defaults:  src.Config.Defaults,
		})
	}
	return c.JSON(fiber.Map{"sources": out})
}

func (s *Server) sourceNames() []string {
	names := make([]string, 0, len(s.sources))
	for n := range s.sources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// mediaType returns the lower-cased media type without parameters.
func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	return mt
}
