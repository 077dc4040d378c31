package gateway

import (
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/spool"
)

// unknownLabel folds label values outside a closed set.
const unknownLabel = "unknown"

// Streams are the values of the `stream` label: which topic a message went to.
const (
	streamFeedback = "feedback"
	streamRaw      = "raw"
	streamDLQ      = "dlq"
	streamSpool    = "spool" // replayed from the spool
)

// Metrics are the gateway's Prometheus metrics. Build them once per
// registry with NewMetrics; CallObserver hands connectors their share.
type Metrics struct {
	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	requestSize     *prometheus.HistogramVec
	rejections      *prometheus.CounterVec
	records         *prometheus.CounterVec
	invalidUTF8     *prometheus.CounterVec
	nlpDuration     prometheus.Histogram
	themes          *prometheus.CounterVec
	sinkDuration    *prometheus.HistogramVec
	sinkMessages    *prometheus.CounterVec
	sinkErrors      *prometheus.CounterVec
	inflight        prometheus.Gauge
	enrichCalls     *prometheus.CounterVec
	enrichDuration  *prometheus.HistogramVec

	spoolAppends      prometheus.Counter
	spoolReplayed     prometheus.Counter
	spoolReplayErrors prometheus.Counter
	reg               prometheus.Registerer

	// Children every accepted request touches, resolved once:
	// WithLabelValues hashes its labels and takes a lock each time.
	feedbackSinkDuration    prometheus.Observer
	rawAccepted, fbAccepted prometheus.Counter
}

// sourceMetrics are a source's children on the accepted path, resolved
// once when the server is built (see Metrics' resolved children).
type sourceMetrics struct {
	size, duration       prometheus.Observer
	status200, status202 prometheus.Counter
	accepted             prometheus.Counter // records{source, source's kind, "accepted"}
}

func (m *Metrics) forSource(src *Source) *sourceMetrics {
	return &sourceMetrics{
		size:      m.requestSize.WithLabelValues(src.Name),
		duration:  m.requestDuration.WithLabelValues(src.Name),
		status200: m.requests.WithLabelValues(src.Name, "200"),
		status202: m.requests.WithLabelValues(src.Name, "202"),
		accepted:  m.records.WithLabelValues(src.Name, string(src.Kind), "accepted"),
	}
}

// sizeObserver is request_size{label}; sm is label's, or nil.
func (m *Metrics) sizeObserver(sm *sourceMetrics, label string) prometheus.Observer {
	if sm != nil {
		return sm.size
	}
	return m.requestSize.WithLabelValues(label)
}

// durationObserver is request_duration{label}; sm is label's, or nil.
func (m *Metrics) durationObserver(sm *sourceMetrics, label string) prometheus.Observer {
	if sm != nil {
		return sm.duration
	}
	return m.requestDuration.WithLabelValues(label)
}

// requestCounter is requests{label, code}; sm is label's, or nil.
func (m *Metrics) requestCounter(sm *sourceMetrics, label string, code int) prometheus.Counter {
	switch {
	case sm == nil:
	case code == http.StatusOK:
		return sm.status200
	case code == http.StatusAccepted:
		return sm.status202
	}
	return m.requests.WithLabelValues(label, strconv.Itoa(code))
}

// recordCounter is records{source, kind, outcome}.
func (m *Metrics) recordCounter(src *Source, kind feedback.Kind, outcome string) prometheus.Counter {
	if sm := src.metrics; sm != nil && outcome == "accepted" && kind == src.Kind {
		return sm.accepted
	}
	return m.records.WithLabelValues(src.Name, string(kind), outcome)
}

// sinkMessageCounter is sink_messages{stream, outcome}.
func (m *Metrics) sinkMessageCounter(stream, outcome string) prometheus.Counter {
	switch {
	case outcome != "accepted":
	case stream == streamRaw:
		return m.rawAccepted
	case stream == streamFeedback:
		return m.fbAccepted
	}
	return m.sinkMessages.WithLabelValues(stream, outcome)
}

// NewMetrics registers the gateway's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_ingest_requests_total",
			Help: "Webhook requests answered, by source and HTTP status code.",
		}, []string{"source", "code"}),
		requestDuration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "corridor_ingest_request_duration_seconds",
			Help:    "Time from receiving a webhook request to answering it, by source.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"source"}),
		requestSize: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "corridor_ingest_request_size_bytes",
			Help:    "Size of webhook request bodies, by source.",
			Buckets: prometheus.ExponentialBuckets(128, 4, 8),
		}, []string{"source"}),
		rejections: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_ingest_rejections_total",
			Help: "Webhook requests not turned into records, by source and reason.",
		}, []string{"source", "reason"}),
		records: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_decode_records_total",
			Help: "Feedback records by source, kind and outcome (accepted: durable in Kafka; failed: not written, sender told to retry).",
		}, []string{"source", "kind", "outcome"}),
		invalidUTF8: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_decode_invalid_utf8_total",
			Help: "Webhook requests whose body held invalid UTF-8 (replaced with U+FFFD in records), by source.",
		}, []string{"source"}),
		nlpDuration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "corridor_nlp_analyze_duration_seconds",
			Help:    "Time to analyze one record's text (redaction, language, themes, sentiment).",
			Buckets: []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .05},
		}),
		themes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_nlp_themes_total",
			Help: "Themes tagged on records, by theme id of the loaded taxonomy.",
		}, []string{"theme"}),
		sinkDuration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "corridor_sink_write_duration_seconds",
			Help:    "Time for one request's messages to be acknowledged by Kafka (acks=all), by stream.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"stream"}),
		sinkMessages: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_sink_messages_total",
			Help: "Kafka messages by stream (feedback, raw, dlq) and outcome (accepted, failed).",
		}, []string{"stream", "outcome"}),
		sinkErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_sink_errors_total",
			Help: "Failed Kafka writes by stream and reason (timeout, unavailable, too_large).",
		}, []string{"stream", "reason"}),
		inflight: f.NewGauge(prometheus.GaugeOpts{
			Name: "corridor_ingest_inflight_requests",
			Help: "Webhook requests being processed now.",
		}),
		enrichCalls: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_enrich_calls_total",
			Help: "Vendor API calls made to complete webhooks that carry only ids, by source and outcome (ok, retried, failed, not_found).",
		}, []string{"source", "outcome"}),
		enrichDuration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "corridor_enrich_call_duration_seconds",
			Help:    "Duration of vendor API calls, by source.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"source"}),
	}
	m.reg = reg
	m.spoolAppends = f.NewCounter(prometheus.CounterOpts{
		Name: "corridor_spool_appends_total",
		Help: "Requests whose messages were fsynced to the spool because Kafka was down or slower than the write deadline.",
	})
	m.spoolReplayed = f.NewCounter(prometheus.CounterOpts{
		Name: "corridor_spool_replayed_total",
		Help: "Spool entries delivered to Kafka by the replayer.",
	})
	m.spoolReplayErrors = f.NewCounter(prometheus.CounterOpts{
		Name: "corridor_spool_replay_errors_total",
		Help: "Failed attempts to deliver spooled entries to Kafka.",
	})
	version, revision := BuildInfo()
	f.NewGauge(prometheus.GaugeOpts{
		Name:        "corridor_build_info",
		Help:        "Build of the running binary; always 1.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision},
	}).Set(1)
	m.feedbackSinkDuration = m.sinkDuration.WithLabelValues(streamFeedback)
	m.rawAccepted = m.sinkMessages.WithLabelValues(streamRaw, "accepted")
	m.fbAccepted = m.sinkMessages.WithLabelValues(streamFeedback, "accepted")
	return m
}

// BuildInfo reports the module version and VCS revision of the running
// binary ("devel" and "unknown" when not recorded).
func BuildInfo() (version, revision string) {
	version, revision = "devel", unknownLabel
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	return version, revision
}

// CallObserver returns the observer of source's vendor API calls.
func (m *Metrics) CallObserver(source string) connectors.CallObserver {
	return callObserver{m: m, source: source}
}

type callObserver struct {
	m      *Metrics
	source string
}

var callOutcomes = map[string]bool{
	connectors.OutcomeOK: true, connectors.OutcomeRetried: true,
	connectors.OutcomeFailed: true, connectors.OutcomeNotFound: true,
}

func (o callObserver) ObserveCall(outcome string, d time.Duration) {
	if !callOutcomes[outcome] {
		outcome = unknownLabel
	}
	o.m.enrichCalls.WithLabelValues(o.source, outcome).Inc()
	o.m.enrichDuration.WithLabelValues(o.source).Observe(d.Seconds())
}

// producerStats is implemented by sinks that batch writes into produce
// requests (sink.Kafka).
type producerStats interface {
	Stats() sink.ProducerStats
}

// watchProducer exposes the Kafka producer's counters, read at scrape time.
// messages/requests is how many messages one broker round trip carries.
func (m *Metrics) watchProducer(p producerStats) {
	f := promauto.With(m.reg)
	f.NewCounterFunc(prometheus.CounterOpts{
		Name: "corridor_kafka_produce_requests_total",
		Help: "Produce requests sent to Kafka brokers (one per leader per round trip).",
	}, func() float64 { return float64(p.Stats().Requests) })
	f.NewCounterFunc(prometheus.CounterOpts{
		Name: "corridor_kafka_produce_messages_total",
		Help: "Messages Kafka acknowledged (acks=all).",
	}, func() float64 { return float64(p.Stats().Messages) })
	f.NewCounterFunc(prometheus.CounterOpts{
		Name: "corridor_kafka_produce_retries_total",
		Help: "Partition batches sent again after a retriable broker error (leader moved, not enough replicas, ...).",
	}, func() float64 { return float64(p.Stats().Retries) })
	f.NewCounterFunc(prometheus.CounterOpts{
		Name: "corridor_kafka_produce_errors_total",
		Help: "Produce requests that failed (broker unreachable, timeout) and partition batches refused for good.",
	}, func() float64 { return float64(p.Stats().Errors) })
}

// watchSpool exposes what the spool holds as gauges read at scrape time.
func (m *Metrics) watchSpool(sp *spool.Spool) {
	f := promauto.With(m.reg)
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corridor_spool_records",
		Help: "Entries (requests) waiting in the spool for Kafka.",
	}, func() float64 { return float64(sp.Stats().Records) })
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corridor_spool_bytes",
		Help: "Bytes waiting in the spool for Kafka.",
	}, func() float64 { return float64(sp.Stats().Bytes) })
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corridor_spool_oldest_age_seconds",
		Help: "Age of the oldest entry waiting in the spool; 0 when empty.",
	}, func() float64 {
		if o := sp.Stats().Oldest; !o.IsZero() {
			return time.Since(o).Seconds()
		}
		return 0
	})
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corridor_spool_max_bytes",
		Help: "Configured spool limit; at it, requests are refused with 503 spool_full.",
	}, func() float64 { return float64(sp.MaxBytes()) })
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corridor_spool_corrupt_entries",
		Help: "Torn or corrupt spool entries skipped when the spool was opened.",
	}, func() float64 { return float64(sp.Stats().Corrupt) })
}
