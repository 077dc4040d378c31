package benchmarks

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/all"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/sink/sinktest"
	"github.com/corridorhq/corridor/nlp"
)

// discard is a sink that acknowledges at once, isolating the in-process path.
type discard struct{}

func (discard) Write(context.Context, ...sink.Message) error { return nil }
func (discard) Ready(context.Context) error                  { return nil }
func (discard) Close() error                                 { return nil }

type pipelineCase struct {
	source, fixture string
}

var pipelineCases = []pipelineCase{
	{"typeform", "form_response_nps.json"},
	{"zendesk", ""},
	{"delighted", ""},
	{"generic", ""},
}

// fixtureFor returns the named fixture of source, or its first one.
func fixtureFor(b *testing.B, source, name string) []byte {
	b.Helper()
	dir := filepath.Join("..", "connectors", source, "testdata")
	if name == "" {
		body, _ := connectortest.Sample(b, source, dir)
		return body
	}
	body, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func newServer(b *testing.B, s sink.Sink) *gateway.Server {
	b.Helper()
	a, err := nlp.New(nlp.NewDefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	var sources []gateway.Source
	for _, f := range all.Factories() {
		sc := connectors.SourceConfig{Type: f.Type, Secrets: []string{"whsec_YmVuY2gtc2VjcmV0LWtleS1ieXRlcy0xMjM0"}}
		dec, err := f.New(sc, connectors.Settings{Name: f.Type})
		if err != nil {
			b.Fatal(err)
		}
		sources = append(sources, gateway.NewSource(f.Type, f, sc, dec))
	}
	reg := prometheus.NewRegistry()
	cfg := gateway.NewDefaultConfig()
	cfg.DedupWindow = 0 // every iteration replays the same request
	srv, err := gateway.New(cfg, gateway.Settings{
		Registerer: reg, Gatherer: reg, Sink: s, Topics: sink.NewDefaultKafkaConfig().Topics, Analyzer: a, Sources: sources,
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

func signedRequest(b *testing.B, src *gateway.Source, body []byte) connectors.Request {
	b.Helper()
	req := connectors.Request{Method: "POST", URI: "/v1/webhooks/" + src.Name, ContentType: "application/json", Header: http.Header{}, Body: body, ReceivedAt: time.Now()}
	if err := src.Decoder.(connectors.Signer).Sign(&req, time.Now()); err != nil {
		b.Fatal(err)
	}
	return req
}

// BenchmarkPipeline measures the whole in-process path of one webhook:
// verify, decode, analyze (full NLP), validate and encode the raw and
// feedback messages. The sink acknowledges at once.
func BenchmarkPipeline(b *testing.B) {
	srv := newServer(b, discard{})
	for _, c := range pipelineCases {
		src, ok := srv.Source(c.source)
		if !ok {
			b.Fatalf("no source %s", c.source)
		}
		body := fixtureFor(b, c.source, c.fixture)
		req := signedRequest(b, src, body)
		raw := &sink.Raw{Source: src.Name, Method: req.Method, URI: req.URI, ContentType: "application/json", Header: req.Header, Body: body, ReceivedAt: req.ReceivedAt}
		b.Run(c.source, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			ctx := context.Background()
			for b.Loop() {
				batch, err := srv.Pipeline().Prepare(ctx, src, raw, req)
				if err != nil {
					b.Fatal(err)
				}
				if err := srv.Pipeline().Commit(ctx, src, batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPipelineKafka adds the acks=all write to an in-process broker
// over loopback TCP, one request at a time (the worst case for batching).
func BenchmarkPipelineKafka(b *testing.B) {
	br := sinktest.StartBroker(b)
	cfg := sink.NewDefaultKafkaConfig()
	cfg.Brokers = []string{br.Addr()}
	k, err := sink.NewKafka(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	if err := k.EnsureTopics(context.Background()); err != nil {
		b.Fatal(err)
	}
	srv := newServer(b, k)
	src, _ := srv.Source("typeform")
	body := fixtureFor(b, "typeform", "form_response_nps.json")
	req := signedRequest(b, src, body)
	raw := &sink.Raw{Source: src.Name, Method: req.Method, URI: req.URI, ContentType: "application/json", Header: req.Header, Body: body, ReceivedAt: req.ReceivedAt}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		for b.Loop() {
			batch, err := srv.Pipeline().Prepare(ctx, src, raw, req)
			if err != nil {
				b.Fatal(err)
			}
			if err := srv.Pipeline().Commit(ctx, src, batch); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel64", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(32) // 32 × GOMAXPROCS(2) = 64 concurrent requests
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				batch, err := srv.Pipeline().Prepare(ctx, src, raw, req)
				if err != nil {
					b.Error(err)
					return
				}
				if err := srv.Pipeline().Commit(ctx, src, batch); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
