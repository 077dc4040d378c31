// Package sinktest reads topics back from a real Kafka-protocol broker and
// starts throwaway brokers, for tests of what Corridor wrote on the wire.
package sinktest
