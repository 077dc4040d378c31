package sink

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// batchVersion prefixes encoded batches so the format can evolve.
const batchVersion = 1

// MarshalBatch encodes msgs for the spool: a version byte, then per message
// topic, key, value and headers as uvarint-length-prefixed bytes.
func MarshalBatch(msgs []Message) []byte {
	size := 1 + binary.MaxVarintLen64
	for _, m := range msgs {
		size += 4*binary.MaxVarintLen64 + len(m.Topic) + len(m.Key) + len(m.Value)
		for _, h := range m.Headers {
			size += 2*binary.MaxVarintLen64 + len(h.Key) + len(h.Value)
		}
	}
	b := make([]byte, 0, size)
	b = append(b, batchVersion)
	b = binary.AppendUvarint(b, uint64(len(msgs)))
	field := func(p []byte) { b = binary.AppendUvarint(b, uint64(len(p))); b = append(b, p...) }
	for _, m := range msgs {
		field([]byte(m.Topic))
		field(m.Key)
		field(m.Value)
		b = binary.AppendUvarint(b, uint64(len(m.Headers)))
		for _, h := range m.Headers {
			field([]byte(h.Key))
			field(h.Value)
		}
	}
	return b
}

var errBatch = errors.New("sink: corrupt batch")

// UnmarshalBatch decodes what MarshalBatch encoded.
func UnmarshalBatch(b []byte) ([]Message, error) {
	if len(b) == 0 || b[0] != batchVersion {
		return nil, fmt.Errorf("%w: unknown version", errBatch)
	}
	b = b[1:]
	num := func() (uint64, error) {
		n, k := binary.Uvarint(b)
		if k <= 0 {
			return 0, errBatch
		}
		b = b[k:]
		return n, nil
	}
	field := func() ([]byte, error) {
		n, err := num()
		if err != nil || n > uint64(len(b)) {
			return nil, errBatch
		}
		p := b[:n:n]
		b = b[n:]
		return p, nil
	}
	count, err := num()
	if err != nil || count > uint64(len(b)) {
		return nil, errBatch
	}
	msgs := make([]Message, 0, count)
	for range count {
		var m Message
		topic, err := field()
		if err != nil {
			return nil, err
		}
		m.Topic = string(topic)
		if m.Key, err = field(); err != nil {
			return nil, err
		}
		if m.Value, err = field(); err != nil {
			return nil, err
		}
		nh, err := num()
		if err != nil || nh > uint64(len(b)) {
			return nil, errBatch
		}
		for range nh {
			k, err := field()
			if err != nil {
				return nil, err
			}
			v, err := field()
			if err != nil {
				return nil, err
			}
			m.Headers = append(m.Headers, Header{Key: string(k), Value: v})
		}
		msgs = append(msgs, m)
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errBatch, len(b))
	}
	return msgs, nil
}
