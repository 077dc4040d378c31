// Package sink writes Corridor's messages to Kafka and defines the three
// topics' message formats.
//
// # Contract
//
//   - Write returns nil only when every message was acknowledged by the
//     broker with acks=all. It honours the context deadline exactly: a hung
//     broker makes Write return context.DeadlineExceeded, never block.
//   - Feedback messages (corridor.feedback.v1) are CloudEvents in binary
//     mode: the value is the record v1 JSON, the key is Record.Key() (customer
//     id, else account id, else record id), and the headers are ce_specversion,
//     ce_id (record id), ce_source (/corridor/sources/<source>), ce_type
//     (com.corridorhq.feedback.v1), ce_time (occurred_at), ce_subject (vendor
//     event id) and content-type application/json.
//   - Raw messages (corridor.raw.v1) carry the exact received bytes as the
//     value and, as headers, the request's content type, method, URI, source,
//     receive time and every received HTTP header except credentials
//     (Authorization, Cookie), prefixed "http-", so a request can be
//     re-verified and re-decoded later. This topic is the audit copy of
//     unredacted input: restrict its retention and access.
//   - Dead-letter messages (corridor.dlq.v1) are raw messages plus a `reason`
//     header (a closed label) and an `error` header (the message answered).
//   - EnsureTopics creates missing topics with their partition counts at start.
//
// # Errors
//
// Write errors wrap the kafka-go error; Retryable reports whether retrying
// the same write may succeed (broker unavailable, timeouts) as opposed to a
// permanent refusal (message too large).
//
// # Concurrency
//
// A Kafka sink is safe for concurrent use and batches concurrent writes into
// shared produce requests (one producer, many waiters).
package sink
