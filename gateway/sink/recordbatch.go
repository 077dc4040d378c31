package sink

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"

	"github.com/segmentio/kafka-go/protocol"
)

// The record batch format (magic 2) is Kafka's since 0.11: a fixed header,
// then the records, compressed together when the attributes name a codec.
// https://kafka.apache.org/documentation/#recordbatch
//
// The producer encodes its batches itself instead of through kafka-go's
// reflective protocol encoder: one pass over the messages into one buffer,
// no per-record values built first. TestAppendRecordSetMatchesKafkaGo checks
// that the bytes equal kafka-go's for the same records. Brokers older than
// Kafka 0.11 (produce API below v3) cannot read this format; Kafka 4 no
// longer serves those versions at all.
const (
	batchHeaderLen = 61 // base offset up to and including the record count

	offBatchLength   = 8
	offCRC           = 17
	offAttributes    = 21
	offLastOffset    = 23
	offFirstTime     = 27
	offMaxTime       = 35
	offRecordCount   = 57
	recordSetSizeLen = 4 // a produce request's int32 size before the batch
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendRecordSet appends to dst the record set of one partition as a
// produce request carries it: its int32 size, then one record batch holding
// msgs in order, every record stamped with ts (Unix milliseconds). scratch is
// reused for the uncompressed records when attrs names a codec; the grown
// scratch is returned for the next call.
func appendRecordSet(dst, scratch []byte, attrs protocol.Attributes, ts int64, msgs []*Message) (out, scratchOut []byte, err error) {
	if len(msgs) == 0 {
		return dst, scratch, protocol.ErrNoRecord
	}
	start := len(dst)
	dst = append(dst, make([]byte, recordSetSizeLen+batchHeaderLen)...)
	batch := start + recordSetSizeLen
	h := dst[batch:]
	// base offset 0, batch length later, partition leader epoch -1, magic 2,
	// CRC later
	binary.BigEndian.PutUint32(h[12:], math.MaxUint32)
	h[16] = 2
	binary.BigEndian.PutUint16(h[offAttributes:], uint16(attrs))
	binary.BigEndian.PutUint32(h[offLastOffset:], uint32(len(msgs)-1))
	binary.BigEndian.PutUint64(h[offFirstTime:], uint64(ts))
	binary.BigEndian.PutUint64(h[offMaxTime:], uint64(ts))
	// no producer id, epoch or base sequence: -1 each
	binary.BigEndian.PutUint64(h[43:], math.MaxUint64)
	binary.BigEndian.PutUint16(h[51:], math.MaxUint16)
	binary.BigEndian.PutUint32(h[53:], math.MaxUint32)
	binary.BigEndian.PutUint32(h[offRecordCount:], uint32(len(msgs)))

	codec := attrs.Compression().Codec()
	if codec == nil {
		dst = appendRecords(dst, msgs)
	} else {
		scratch = appendRecords(scratch[:0], msgs)
		w := codec.NewWriter((*appendWriter)(&dst))
		if _, err := w.Write(scratch); err != nil {
			return dst[:start], scratch, fmt.Errorf("sink: compress record batch: %w", err)
		}
		if err := w.Close(); err != nil {
			return dst[:start], scratch, fmt.Errorf("sink: compress record batch: %w", err)
		}
	}
	h = dst[batch:]
	binary.BigEndian.PutUint32(dst[start:], uint32(len(h)))
	binary.BigEndian.PutUint32(h[offBatchLength:], uint32(len(h)-12))
	binary.BigEndian.PutUint32(h[offCRC:], crc32.Checksum(h[offAttributes:], castagnoli))
	return dst, scratch, nil
}

// appendRecords appends msgs as records: each a varint length, then
// attributes 0, timestamp delta 0, its offset delta, key, value and headers,
// with absent keys and header values as length -1.
func appendRecords(b []byte, msgs []*Message) []byte {
	for i, m := range msgs {
		n := 1 + 1 + varintLen(int64(i)) + nullBytesLen(m.Key) + nullBytesLen(m.Value) + varintLen(int64(len(m.Headers)))
		for _, h := range m.Headers {
			n += varintLen(int64(len(h.Key))) + len(h.Key) + nullBytesLen(h.Value)
		}
		b = binary.AppendVarint(b, int64(n))
		b = append(b, 0, 0) // attributes, timestamp delta
		b = binary.AppendVarint(b, int64(i))
		b = appendNullBytes(b, m.Key)
		b = appendNullBytes(b, m.Value)
		b = binary.AppendVarint(b, int64(len(m.Headers)))
		for _, h := range m.Headers {
			b = binary.AppendVarint(b, int64(len(h.Key)))
			b = append(b, h.Key...)
			b = appendNullBytes(b, h.Value)
		}
	}
	return b
}

func appendNullBytes(b, p []byte) []byte {
	if p == nil {
		return append(b, 1) // zigzag -1
	}
	b = binary.AppendVarint(b, int64(len(p)))
	return append(b, p...)
}

func nullBytesLen(p []byte) int {
	if p == nil {
		return 1
	}
	return varintLen(int64(len(p))) + len(p)
}

// varintLen is the length of v as a zigzag varint.
func varintLen(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	return (bits.Len64(u|1) + 6) / 7
}

// appendWriter appends what is written to a byte slice.
type appendWriter []byte

func (w *appendWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}
