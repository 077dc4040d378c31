// Package spool is Corridor's on-disk write-ahead spool: where accepted
// messages wait, durably, while Kafka is down or slower than the write
// deadline.
//
// # Contract
//
//   - Append returns nil only after the entry is fsynced. Concurrent appends
//     share fsyncs (group commit): one appender syncs for every entry
//     written before it started, the others wait for that sync.
//   - Entries are read back in append order with Peek and removed with Ack.
//     The read position is persisted, so a restarted process resumes where
//     the last one acknowledged; entries acknowledged but not yet recorded
//     are delivered again (at least once).
//   - Each entry is framed as [length u32][crc32c u32][unix nanos i64]
//     [payload] in append-only segment files. At Open, a torn tail (a crash
//     mid-write) is truncated and an entry whose checksum fails is skipped;
//     entries before and after a corrupt one are kept when its length is
//     intact. Both are counted in Stats.Corrupt.
//   - When the spool holds MaxBytes, Append returns ErrFull.
//
// # Errors
//
// ErrFull when the spool is full; I/O errors wrapped with "spool: ...".
//
// # Concurrency
//
// Append is safe for concurrent use; Peek and Ack are for one reader.
package spool
