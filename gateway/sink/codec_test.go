package sink

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBatchRoundTrip(t *testing.T) {
	msgs := []Message{
		{Topic: "corridor.raw.v1", Key: []byte("cust-1"), Value: []byte(`{"a":1}`), Headers: []Header{{Key: "reason", Value: []byte("x")}, {Key: "empty", Value: []byte{}}}},
		{Topic: "corridor.feedback.v1", Key: nil, Value: []byte{}},
	}
	got, err := UnmarshalBatch(MarshalBatch(msgs))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, msgs[0].Topic, got[0].Topic)
	assert.Equal(t, msgs[0].Key, got[0].Key)
	assert.Equal(t, msgs[0].Value, got[0].Value)
	assert.Equal(t, "x", got[0].Header("reason"))
	assert.Len(t, got[0].Headers, 2)
	assert.Empty(t, got[1].Key)
}

func FuzzUnmarshalBatch(f *testing.F) {
	f.Add(MarshalBatch([]Message{{Topic: "t", Key: []byte("k"), Value: []byte("v"), Headers: []Header{{Key: "h", Value: []byte("1")}}}}))
	f.Add([]byte{1, 255, 255, 255, 255, 15})
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := UnmarshalBatch(b)
		if err != nil {
			return
		}
		// What decodes re-encodes to a batch that decodes the same (varints
		// may be non-canonical on input, so bytes can differ).
		again, err := UnmarshalBatch(MarshalBatch(msgs))
		require.NoError(t, err)
		require.Len(t, again, len(msgs))
		for i := range msgs {
			assert.Equal(t, msgs[i].Topic, again[i].Topic)
			assert.Equal(t, string(msgs[i].Key), string(again[i].Key))
			assert.Equal(t, string(msgs[i].Value), string(again[i].Value))
			assert.Equal(t, len(msgs[i].Headers), len(again[i].Headers))
		}
	})
}
