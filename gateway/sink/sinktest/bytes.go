package sinktest

import (
	"io"

	"github.com/segmentio/kafka-go/protocol"
)

func readBytes(b protocol.Bytes) ([]byte, error) {
	defer b.Close()
	return io.ReadAll(b)
}
