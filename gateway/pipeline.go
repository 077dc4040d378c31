package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink"
	"github.com/corridorhq/corridor/gateway/spool"
)

// Analyzer is what the gateway needs of the NLP stage.
type Analyzer = feedback.Analyzer

// Source is one configured webhook source, ready to decode.
type Source struct {
	Name       string
	Type       string
	Kind       feedback.Kind
	Config     connectors.SourceConfig
	Decoder    connectors.Decoder
	Verifier   connectors.Verifier   // nil when the vendor signs nothing
	Enricher   connectors.Enricher   // nil when the webhook carries everything
	Handshaker connectors.Handshaker // nil when the vendor checks nothing

	metrics *sourceMetrics // set by the server that serves it; nil elsewhere
}

// NewSource builds the Source of a decoder, finding its optional
// capabilities by type assertion.
func NewSource(name string, f connectors.Factory, cfg connectors.SourceConfig, dec connectors.Decoder) Source {
	src := Source{Name: name, Type: f.Type, Kind: f.Kind, Config: cfg, Decoder: dec}
	src.Verifier, _ = dec.(connectors.Verifier)
	src.Enricher, _ = dec.(connectors.Enricher)
	src.Handshaker, _ = dec.(connectors.Handshaker)
	return src
}

// Batch is one request's outcome, encoded for Kafka.
type Batch struct {
	Records   []feedback.Record
	Messages  []sink.Message
	Ignored   error // set when the event is valid but yields no record
	Duplicate bool  // every record was made durable within the dedup window
}

// Pipeline verifies, decodes, analyzes and encodes requests, and writes them.
type Pipeline struct {
	analyzer      Analyzer
	sink          sink.Sink
	topics        sink.Topics
	m             *Metrics
	dedup         *dedup
	enrichTimeout time.Duration
	now           func() time.Time
	spool         *spool.Spool // nil: no spool, Kafka failures answer 503
}

// Prepare verifies and decodes req, enriches the records from the vendor API
// where the source needs it (the only I/O, bounded by the enrich timeout),
// analyzes every record and encodes the raw and feedback messages. A
// redelivery already made durable within the dedup window comes back with
// Duplicate set and no messages.
func (p *Pipeline) Prepare(ctx context.Context, src *Source, raw *sink.Raw, req connectors.Request) (*Batch, error) {
	if src.Verifier != nil {
		if err := src.Verifier.Verify(req); err != nil {
			return nil, err
		}
	}
	recs, err := src.Decoder.Decode(ctx, req)
	b := &Batch{}
	switch {
	case errors.Is(err, connectors.ErrIgnored):
		b.Ignored = err
	case err != nil:
		return nil, err
	}
	if p.dedup.allSeen(src.Name, recs, p.now()) {
		b.Records, b.Duplicate = recs, true
		for i := range recs {
			p.m.records.WithLabelValues(src.Name, string(recs[i].Kind), "duplicate").Inc()
		}
		return b, nil
	}
	recs, err = p.fromAPI(ctx, src, recs)
	switch {
	case errors.Is(err, connectors.ErrIgnored):
		b.Ignored, recs = err, nil
	case err != nil:
		return nil, err
	}
	ids := make([]string, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		p.enrich(src, r, req.ReceivedAt)
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errInvalidRecord, src.Name, err)
		}
		ids = append(ids, r.ID)
	}
	key := src.Name
	if len(recs) > 0 {
		key = recs[0].Key()
	}
	b.Messages = make([]sink.Message, 0, len(recs)+1)
	b.Messages = append(b.Messages, sink.RawMessage(p.topics.Raw.Name, key, raw, ids))
	for i := range recs {
		msg, err := sink.FeedbackMessage(p.topics.Feedback.Name, &recs[i])
		if err != nil {
			return nil, err
		}
		b.Messages = append(b.Messages, msg)
	}
	b.Records = recs
	return b, nil
}

// enrich fills mapped fields and source defaults, repairs text and applies
// the NLP analysis.
func (p *Pipeline) enrich(src *Source, r *feedback.Record, receivedAt time.Time) {
	src.Config.Mapping.Apply(r)
	src.Config.Defaults.Fill(r)
	r.DefaultTimes(receivedAt)
	start := time.Now()
	r.Analyze(p.analyzer)
	p.m.nlpDuration.Observe(time.Since(start).Seconds())
	for _, t := range r.Themes {
		p.m.themes.WithLabelValues(t.ID).Inc()
	}
}

// Commit makes b durable: written to Kafka with acks=all within ctx, or,
// when Kafka is down or slower than the deadline, appended and fsynced to
// the spool for the replayer to deliver. While the spool holds anything,
// new batches join it, so a customer's records stay in order.
func (p *Pipeline) Commit(ctx context.Context, src *Source, b *Batch) error {
	outcome := "accepted"
	var err error
	if p.spool != nil && p.spool.Pending() {
		outcome, err = p.toSpool(b)
	} else {
		start := time.Now()
		err = p.sink.Write(ctx, b.Messages...)
		p.m.feedbackSinkDuration.Observe(time.Since(start).Seconds())
		if err != nil {
			err = fmt.Errorf("%w: %w", errSink, err)
			p.m.sinkErrors.WithLabelValues(streamFeedback, sinkReason(err)).Inc()
			if p.spool != nil && !sink.Permanent(err) {
				outcome, err = p.toSpool(b)
			}
		}
	}
	if err != nil {
		outcome = "failed"
	}
	p.m.sinkMessageCounter(streamRaw, outcome).Inc()
	p.m.sinkMessageCounter(streamFeedback, outcome).Add(float64(len(b.Records)))
	for i := range b.Records {
		p.m.recordCounter(src, b.Records[i].Kind, outcome).Inc()
	}
	if err != nil {
		return err
	}
	p.dedup.add(src.Name, b.Records, p.now())
	return nil
}

// toSpool appends b to the spool and waits for the fsync.
func (p *Pipeline) toSpool(b *Batch) (string, error) {
	if err := p.spool.Append(sink.MarshalBatch(b.Messages)); err != nil {
		if errors.Is(err, spool.ErrFull) {
			return "", fmt.Errorf("%w: %w", errSpoolFull, err)
		}
		return "", fmt.Errorf("%w: %w", errSink, err)
	}
	p.m.spoolAppends.Inc()
	return "spooled", nil
}

// DeadLetter writes a rejected request to the dead-letter topic.
func (p *Pipeline) DeadLetter(ctx context.Context, raw *sink.Raw, reason, msg string) error {
	start := time.Now()
	err := p.sink.Write(ctx, sink.DLQMessage(p.topics.DLQ.Name, raw, reason, msg))
	p.m.sinkDuration.WithLabelValues(streamDLQ).Observe(time.Since(start).Seconds())
	if err != nil {
		p.m.sinkMessages.WithLabelValues(streamDLQ, "failed").Inc()
		p.m.sinkErrors.WithLabelValues(streamDLQ, sinkReason(fmt.Errorf("%w: %w", errSink, err))).Inc()
		return fmt.Errorf("%w: %w", errSink, err)
	}
	p.m.sinkMessages.WithLabelValues(streamDLQ, "accepted").Inc()
	return nil
}

// Retag runs a request kept in the raw topic through the current decoder,
// vendor API enrichment, mapping and NLP again, and encodes its feedback
// messages with the same record ids and version+bump, so the new analysis
// supersedes the old for consumers that keep the newest version. The
// request is not verified again: it was verified when it arrived, and its
// secret may have been rotated since.
func (p *Pipeline) Retag(ctx context.Context, src *Source, raw *sink.Raw, bump int64) ([]feedback.Record, []sink.Message, error) {
	recs, err := src.Decoder.Decode(ctx, requestOf(raw))
	if err != nil {
		return nil, nil, err
	}
	if recs, err = p.fromAPI(ctx, src, recs); err != nil {
		return nil, nil, err
	}
	msgs := make([]sink.Message, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		p.enrich(src, r, raw.ReceivedAt)
		r.Version += bump
		if err := r.Validate(); err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %w", errInvalidRecord, src.Name, err)
		}
		m, err := sink.FeedbackMessage(p.topics.Feedback.Name, r)
		if err != nil {
			return nil, nil, err
		}
		msgs = append(msgs, m)
	}
	return recs, msgs, nil
}

// fromAPI completes recs from the vendor API when the source needs it,
// bounded by the enrich timeout.
func (p *Pipeline) fromAPI(ctx context.Context, src *Source, recs []feedback.Record) ([]feedback.Record, error) {
	if src.Enricher == nil || len(recs) == 0 {
		return recs, nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.enrichTimeout)
	defer cancel()
	return src.Enricher.Enrich(ctx, recs)
}

// requestOf is the decoder's view of a received (or replayed) request.
func requestOf(raw *sink.Raw) connectors.Request {
	return connectors.Request{
		Method:      raw.Method,
		URI:         raw.URI,
		ContentType: mediaType(raw.ContentType),
		Header:      raw.Header,
		Body:        raw.Body,
		ReceivedAt:  raw.ReceivedAt,
	}
}
