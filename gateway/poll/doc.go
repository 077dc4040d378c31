// Package poll runs Corridor's review connectors (connectors.Poller): it
// decides which instance polls which feed, schedules the polls, walks the
// feed's pages to a durable cursor, and writes what is new to Kafka like a
// webhook (corridor.feedback.v1, corridor.raw.v1, corridor.dlq.v1).
//
// # Contract
//
// Cursors. Each connector has one cursor (State), stored in the compacted
// state topic (default corridor.state.v1) under the key "poll/<id>" as JSON:
//
//	{"version":1,
//	 "watermark":{"version":V,"occurred_at":T,"ids":[...]},     // null before the first walk
//	 "paging":{"next_token":"…","started_at":T,
//	           "written":{"high":Mark,"low":Mark},"skip":[Span…],
//	           "inflight":["<id>@<version>",…]},                // null between walks
//	 "polled_at":T,"updated_at":T}
//
// Records are ordered in a feed by position: Version (the vendor's
// last-modified time, or 1), then OccurredAt, newest first, as the Poller
// contract requires. A walk starts at the newest page and writes every
// record above the watermark (or at it with an id the watermark does not
// list); an edited review has a higher Version, so it is a new version of
// the same record id. The walk ends with the page that reaches below the
// watermark, or with the last page, and its newest record becomes the
// watermark. Max_pages bounds one poll: the next poll continues the walk
// where the budget ran out (no gap; new reviews wait for the walk's end).
//
// Ack order, per page: (1) when the page has new records, the cursor is
// saved with those records listed as in flight; (2) the records and the
// page's raw copy are written with acks=all; (3) the cursor is saved with
// the next page's token and the span written so far. A cursor never moves
// past records Kafka has not acknowledged. A process that dies at any point
// is resumed by the next owner from the last saved token: no gap, and no
// repeat except the page in flight between (2) and (3), whose records are
// written again (at least once, same ids) and counted in
// corridor_poll_duplicates_total. Records that move to a later page while a
// walk is under way (new reviews pushing the list down) are recognised by
// the written span and not written twice. A saved token older than
// paging_ttl, or failing resume_attempts times in a row, is abandoned: the
// walk restarts from the newest page and skips the spans already written.
//
// A page the connector cannot decode (connectors.ErrMalformed) goes to the
// dead-letter topic with reason malformed_page and its bytes; the walk goes
// on with the next page when the connector could read its token, else it
// ends there. A record that does not validate (a connector bug) is
// dead-lettered with reason invalid_record and the page; the other records
// are written. Each page that yields records gets one raw copy (keyed like
// its first record, with corridor-record-ids); raw and dead-letter copies
// of polled pages carry
// corridor-method POLL, corridor-uri the page token ("" is the newest page)
// and content-type application/json.
//
// Records are completed like webhook records: the connector's defaults,
// kind review, source = connector id, received_at = fetch time, then the
// Analyzer's redaction, language, themes and sentiment, then Validate.
//
// Ownership. The pollers topic (default corridor.pollers.v1, 16
// partitions) is never written; its partitions are handed out by a Kafka
// consumer group (group_id, default corridor-pollers), and connector id
// belongs to partition fnv32a(id) mod partitions. Run polls the connectors
// of the partitions assigned to this instance in the current generation
// and reads their cursors from the state topic when the generation starts.
// Kafka's group protocol makes generations exclusive: an instance stops its
// pollers (finishing the page in hand) before it rejoins, so the next owner
// reads a cursor nobody writes any more. A stopped instance leaves the
// group and its connectors move at the others' next heartbeat; a crashed
// one's move after session_timeout (default 10s) plus a heartbeat. An
// instance cut off from the broker for longer than the session may finish
// its page after a new owner started: that page's records can be written
// twice (at least once; consumers dedupe on id and version).
//
// Scheduling. An owned connector is polled when its interval has passed
// since polled_at, then every interval (plus up to 10% jitter). A failed
// poll is retried after backoff·2^(n-1) (capped at max_backoff and the
// interval; half of it jitter), or after the vendor's Retry-After when the
// connector's error carries one: any error in the chain with a method
// RetryAfter() time.Duration. Each API call is bounded by the connector's
// timeout.
//
// PollOnce polls connectors regardless of ownership (`corridor poll
// --once`); running it against connectors a live deployment polls may
// write records twice.
//
// Metrics (connector label: configured ids only): corridor_poll_polls_total
// {connector,outcome=ok|budget|rate_limited|failed},
// corridor_poll_reviews_total{connector}, corridor_poll_pages_total
// {connector}, corridor_poll_newest_review_age_seconds{connector},
// corridor_poll_last_success_timestamp_seconds{connector},
// corridor_poll_api_errors_total{connector,reason=rate_limited|upstream|
// timeout|unauthorized|malformed_page|invalid_record|internal},
// corridor_poll_duplicates_total{connector}, corridor_poll_owned_connectors,
// corridor_poll_api_calls_total{connector,outcome} and
// corridor_poll_api_call_duration_seconds{connector} (fed by connectors
// through connectors.Settings.Calls).
//
// # Errors
//
// New reports an invalid Config, missing Settings, and every feed problem
// at once (invalid config, duplicate id, unknown type, a factory's error).
// Run returns an error only when the topics cannot be created within 30s;
// later failures (vendor, Kafka) are retried, counted and logged once per
// change of state. PollOnce returns setup errors; each poll's failure is in
// its Result.
//
// # Concurrency
//
// Run polls each owned connector in its own goroutine; a connector is
// never polled by two goroutines of one Manager (PollOnce is meant for a
// Manager that is not running). Pollers need not be safe for concurrent
// use. Owned and IDs are safe to call at any time.
package poll
