package poll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/gateway/sink"
)

// Raw-message values of polled pages (the request fields a webhook has).
const (
	rawMethod      = "POLL"             // corridor-method of a polled page
	rawContentType = "application/json" // every supported review API answers JSON
)

// errInvalidRecord marks records a connector returned that do not validate.
var errInvalidRecord = errors.New("invalid record")

// poll runs one poll of c from st (mutated as the walk goes; every change
// is saved before the next page is fetched) and counts it in the metrics.
func (m *Manager) poll(ctx context.Context, c *connector, st *State) Result {
	res := m.walk(ctx, c, st)
	id := c.cfg.ID
	if res.Outcome != "" {
		m.m.polls.WithLabelValues(id, res.Outcome).Inc()
	}
	if res.Outcome == OutcomeOK || res.Outcome == OutcomeBudget {
		now := m.now()
		m.m.lastSuccess.WithLabelValues(id).Set(float64(now.UnixNano()) / 1e9)
		if w := st.Watermark; w != nil && !w.OccurredAt.IsZero() {
			m.m.newestAge.WithLabelValues(id).Set(max(0, now.Sub(w.OccurredAt).Seconds()))
		}
	}
	return res
}

// walk fetches pages from the saved paging token (or the newest page) and
// writes what is new on each, until it reaches the watermark, the last
// page or the page budget.
func (m *Manager) walk(ctx context.Context, c *connector, st *State) Result {
	res := Result{Connector: c.cfg.ID}
	fail := func(err error) Result {
		if ctx.Err() != nil {
			res.Outcome, res.Err = "", ctx.Err()
			return res
		}
		res.Outcome, res.Err = OutcomeFailed, err
		return res
	}
	now := m.now()
	if p := st.Paging; p != nil && p.Token != "" &&
		(now.Sub(p.StartedAt) > m.cfg.PagingTTL || c.resumeFails >= m.cfg.ResumeAttempts) {
		// The vendor may have expired the token: walk again from the top,
		// skipping what this walk already wrote.
		p.restart(now)
		c.resumeFails = 0
		res.Restarted = true
	}
	if st.Paging == nil {
		st.Paging = &Paging{StartedAt: now}
	}
	p := st.Paging
	for res.Pages < c.cfg.MaxPages {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		token := p.Token
		fctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		fetchedAt := m.now()
		page, err := c.poller.Fetch(fctx, token)
		cancel()
		res.Pages++
		m.m.pages.WithLabelValues(c.cfg.ID).Inc()

		if err != nil && errors.Is(err, connectors.ErrMalformed) {
			// Dead-letter the page's bytes and carry on past it.
			c.resumeFails = 0
			res.Malformed++
			m.m.apiErrors.WithLabelValues(c.cfg.ID, ReasonMalformedPage).Inc()
			if werr := m.write(ctx, m.deadLetter(c, token, page.Raw, fetchedAt, ReasonMalformedPage, err)); werr != nil {
				return fail(werr)
			}
			if page.Next == "" {
				return m.complete(ctx, c, st, res)
			}
			p.Token, p.Inflight = page.Next, nil
			if err := m.save(ctx, c, st); err != nil {
				return fail(err)
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return fail(err)
			}
			reason := apiReason(err)
			m.m.apiErrors.WithLabelValues(c.cfg.ID, reason).Inc()
			res.Err = fmt.Errorf("poll: %s: fetch page %q: %w", c.cfg.ID, token, err)
			res.Outcome = OutcomeFailed
			if d, ok := retryAfterOf(err); ok {
				res.Outcome, res.RetryAfter = OutcomeRateLimited, d
			}
			if token != "" && res.Outcome != OutcomeRateLimited {
				c.resumeFails++
			}
			return res
		}
		c.resumeFails = 0

		fresh, dups, reachedOld := classify(st, page.Records)
		if len(fresh) > 0 {
			// Say which records are about to be written before writing
			// them: a crash in between makes the next owner count them.
			p.Inflight = make([]string, len(fresh))
			for i := range fresh {
				p.Inflight[i] = versionedID(&fresh[i])
			}
			if err := m.save(ctx, c, st); err != nil {
				return fail(err)
			}
			msgs, written := m.encode(c, token, page.Raw, fresh, fetchedAt)
			if err := m.write(ctx, msgs...); err != nil {
				return fail(err)
			}
			for i := range fresh {
				p.wrote(PositionOf(&fresh[i]), fresh[i].ID)
			}
			res.Reviews += written
			res.Duplicates += dups
			m.m.reviews.WithLabelValues(c.cfg.ID).Add(float64(written))
			m.m.duplicates.WithLabelValues(c.cfg.ID).Add(float64(dups))
			p.Inflight = nil
		}
		if reachedOld || page.Next == "" {
			return m.complete(ctx, c, st, res)
		}
		p.Token = page.Next
		if err := m.save(ctx, c, st); err != nil {
			return fail(err)
		}
	}
	// Page budget spent: the next poll continues from p.Token.
	st.PolledAt = m.now()
	if err := m.save(ctx, c, st); err != nil {
		return fail(err)
	}
	res.Outcome = OutcomeBudget
	return res
}

// complete ends a walk: its newest record becomes the watermark.
func (m *Manager) complete(ctx context.Context, c *connector, st *State, res Result) Result {
	st.Watermark = newest(st.Watermark, st.Paging.NewWatermark())
	st.Paging = nil
	st.PolledAt = m.now()
	if err := m.save(ctx, c, st); err != nil {
		if ctx.Err() != nil {
			res.Outcome, res.Err = "", ctx.Err()
			return res
		}
		res.Outcome, res.Err = OutcomeFailed, err
		return res
	}
	res.Outcome = OutcomeOK
	return res
}

// classify picks the records of a page that are new: above the watermark
// (or at it with an id it does not list) and not already written by this
// walk. dups counts those that may have been written before (the page
// that was in flight when the cursor was last saved). reachedOld is set
// when the page reaches below the watermark: the walk ends with it.
func classify(st *State, recs []feedback.Record) (fresh []feedback.Record, dups int, reachedOld bool) {
	w, p := st.Watermark, st.Paging
	seen := make(map[string]bool, len(recs))
	inflight := make(map[string]bool, len(p.Inflight))
	for _, v := range p.Inflight {
		inflight[v] = true
	}
	for i := range recs {
		r := &recs[i]
		pos := PositionOf(r)
		if w != nil && w.below(pos) {
			reachedOld = true
			continue
		}
		vid := versionedID(r)
		if (w != nil && w.covers(pos, r.ID)) || p.covered(pos, r.ID) || seen[vid] {
			continue
		}
		seen[vid] = true
		if inflight[vid] {
			dups++
		}
		fresh = append(fresh, *r)
	}
	return fresh, dups, reachedOld
}

// encode completes and validates the records and returns the messages of
// one page: its raw copy, one feedback message per valid record, and a
// dead letter of the page when a record does not validate (a connector
// bug: the other records still go through).
func (m *Manager) encode(c *connector, token string, raw []byte, recs []feedback.Record, fetchedAt time.Time) ([]sink.Message, int) {
	msgs := make([]sink.Message, 0, len(recs)+2)
	ids := make([]string, 0, len(recs))
	key := c.cfg.ID
	var invalid []error
	for i := range recs {
		r := recs[i] // a copy: the caller's record keeps the connector's position
		enrich(m.set.Analyzer, &c.cfg, &r, fetchedAt)
		err := r.Validate()
		var msg sink.Message
		if err == nil {
			msg, err = sink.FeedbackMessage(m.set.Topics.Feedback.Name, &r)
		}
		if err != nil {
			invalid = append(invalid, fmt.Errorf("record %s: %w", r.ID, err))
			continue
		}
		if len(ids) == 0 {
			key = r.Key()
		}
		ids = append(ids, r.ID)
		msgs = append(msgs, msg)
	}
	if len(raw) > 0 && len(ids) > 0 {
		msgs = append(msgs, sink.RawMessage(m.set.Topics.Raw.Name, key, m.rawPage(c, token, raw, fetchedAt), ids))
	}
	if len(invalid) > 0 {
		m.m.apiErrors.WithLabelValues(c.cfg.ID, ReasonInvalidRecord).Add(float64(len(invalid)))
		err := fmt.Errorf("%w: %w", errInvalidRecord, errors.Join(invalid...))
		msgs = append(msgs, m.deadLetter(c, token, raw, fetchedAt, ReasonInvalidRecord, err))
	}
	return msgs, len(ids)
}

// rawPage describes a fetched page for the raw and dead-letter topics.
func (m *Manager) rawPage(c *connector, token string, raw []byte, fetchedAt time.Time) *sink.Raw {
	return &sink.Raw{
		Source: c.cfg.ID, Method: rawMethod, URI: token, ContentType: rawContentType,
		Body: raw, ReceivedAt: fetchedAt,
	}
}

func (m *Manager) deadLetter(c *connector, token string, raw []byte, fetchedAt time.Time, reason string, err error) sink.Message {
	return sink.DLQMessage(m.set.Topics.DLQ.Name, m.rawPage(c, token, raw, fetchedAt), reason, err.Error())
}

// write writes msgs with acks=all. A page's writes are not cut short by
// shutdown or a lost assignment (only bounded by WriteTimeout), so a page
// is either fully handled or not at all as far as this process can help.
func (m *Manager) write(ctx context.Context, msgs ...sink.Message) error {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.WriteTimeout)
	defer cancel()
	if err := m.set.Sink.Write(wctx, msgs...); err != nil {
		return fmt.Errorf("poll: write: %w", err)
	}
	return nil
}

// save writes c's cursor (see write for the context).
func (m *Manager) save(ctx context.Context, c *connector, st *State) error {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.WriteTimeout)
	defer cancel()
	return m.store.save(wctx, c.cfg.ID, st, m.now())
}

// retryHinter is implemented by connector errors that carry the vendor's
// Retry-After (found with errors.As).
type retryHinter interface{ RetryAfter() time.Duration }

// retryAfterOf returns the vendor's requested wait carried by err.
func retryAfterOf(err error) (time.Duration, bool) {
	var h retryHinter
	if errors.As(err, &h) {
		return h.RetryAfter(), true
	}
	return 0, false
}

// apiReason maps a fetch error to its reason label.
func apiReason(err error) string {
	if _, ok := retryAfterOf(err); ok {
		return ReasonRateLimited
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	case errors.Is(err, connectors.ErrUnauthorized):
		return ReasonUnauthorized
	case errors.Is(err, connectors.ErrMalformed):
		return ReasonMalformedPage
	case errors.Is(err, connectors.ErrUpstream):
		return ReasonUpstream
	}
	return ReasonInternal
}
