// Package feedback defines Corridor's canonical feedback record (record v1),
// the one shape every connector decodes into and every consumer of
// corridor.feedback.v1 reads.
//
// # Contract
//
// A Record is serialized as snake_case JSON and validated against
// record.v1.schema.json (embedded as SchemaJSON). Its ID is deterministic:
// NewID(source, externalID) hashes the source name and the vendor's event or
// response id, so a redelivery of the same vendor event yields the same id and
// consumers can dedupe on it. Version starts at 1 and grows when the same
// vendor object is delivered again in a newer state (an edited review, a
// Delighted comment added after the score); the newest version wins.
//
// Key returns the Kafka record key: the customer id when known, else the
// account id, else the record id, so one customer's feedback stays ordered on
// one partition.
//
// This package is a leaf: it imports only the standard library.
//
// # Errors
//
// Validate returns errors.Join of every problem found, each naming the field.
//
// # Concurrency
//
// Records are plain values; copy before sharing across goroutines that mutate.
package feedback
