package model

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toyDocs is a small two-label problem: "a" words signal label A, "b" words
// label B, "n" words neither; some docs carry both.
func toyDocs() []Doc {
	var docs []Doc
	for i := 0; i < 60; i++ {
		var fs, ls []string
		if i%3 != 2 {
			fs = append(fs, "u:apple", fmt.Sprintf("u:a%d", i%4))
			ls = append(ls, "A")
		}
		if i%4 == 0 || i%3 == 2 {
			fs = append(fs, "u:banana", fmt.Sprintf("u:b%d", i%5))
			ls = append(ls, "B")
		}
		fs = append(fs, fmt.Sprintf("u:n%d", i%7), "u:the")
		docs = append(docs, Doc{Features: fs, Labels: ls})
	}
	return docs
}

func trainToy(t *testing.T, seed int64) *Model {
	t.Helper()
	m, err := Train(toyDocs(), TrainOptions{Seed: seed, Normalizer: "test", Templates: []string{"unigram"}})
	require.NoError(t, err)
	return m
}

func encode(t *testing.T, m *Model) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, m.Write(&b))
	return b.Bytes()
}

func TestTrainDeterministic(t *testing.T) {
	a, b := encode(t, trainToy(t, 42)), encode(t, trainToy(t, 42))
	assert.Equal(t, a, b, "same data and seed: same bytes")
	assert.NotEqual(t, a, encode(t, trainToy(t, 43)), "the seed is used")
}

func TestTrainLearns(t *testing.T) {
	m := trainToy(t, 1)
	assert.Equal(t, []string{"A", "B"}, []string{m.Labels[0].ID, m.Labels[1].ID})
	assert.Equal(t, FormatVersion, m.FormatVersion)
	assert.Equal(t, "test", m.Normalizer)
	assert.Greater(t, m.Training.CVF1, 0.9)
	assert.Equal(t, 40, m.Labels[0].Examples)
	idx := m.Index()
	predict := func(feats ...string) []string {
		var ids []int32
		for _, f := range feats {
			if k, ok := idx[f]; ok {
				ids = append(ids, k)
			}
		}
		scores := make([]float64, len(m.Labels))
		m.Scores(ids, scores)
		var out []string
		for _, l := range m.Decide(nil, scores) {
			out = append(out, m.Labels[l].ID)
			c := m.Confidence(l, scores[l])
			assert.True(t, c > 0 && c < 1, "confidence %v", c)
		}
		return out
	}
	assert.Equal(t, []string{"A"}, predict("u:apple", "u:the"))
	assert.Equal(t, []string{"B"}, predict("u:banana", "u:n3"))
	assert.Equal(t, []string{"A", "B"}, predict("u:apple", "u:banana"))
}

func TestTrainErrors(t *testing.T) {
	_, err := Train(toyDocs()[:3], TrainOptions{})
	assert.ErrorContains(t, err, "3 docs for 5 folds")
	_, err = Train([]Doc{{}, {}, {}, {}, {}}, TrainOptions{})
	assert.ErrorContains(t, err, "no labels")
	_, err = Train(toyDocs(), TrainOptions{C: []float64{-1}})
	assert.ErrorContains(t, err, "C -1")
}

func TestModelRoundTrip(t *testing.T) {
	m := trainToy(t, 1)
	m.Sentiment = trainToy(t, 2)
	path := filepath.Join(t.TempDir(), "m.json")
	require.NoError(t, m.WriteFile(path))
	got, err := ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, m, got)
	assert.Equal(t, encode(t, m), encode(t, got), "re-encoding is stable")
}

func TestReadInvalid(t *testing.T) {
	good := string(encode(t, trainToy(t, 1)))
	tests := []struct {
		name, in, err string
	}{
		{"not json", "hello", "not a valid model file"},
		{"version", strings.Replace(good, `"format_version": 1`, `"format_version": 2`, 1), "format_version 2, want 1"},
		{"unknown field", strings.Replace(good, `"format_version": 1`, `"format_version": 1, "extra": 1`, 1), "unknown field"},
		{"row length", strings.Replace(good, "],\n  \"weights\": [\n    [", "],\n  \"weights\": [\n    [1,", 1), "values for 2 labels"},
		{"no labels", strings.Replace(good, `"id": "A"`, `"id": ""`, 1), "empty id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in))
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
	_, err := ReadFile(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorContains(t, err, "no such file")
}

func TestPlatt(t *testing.T) {
	// Scores that separate the classes well give a steep, increasing map.
	var s []float64
	var y []bool
	for i := -20; i <= 20; i++ {
		s = append(s, float64(i)/10)
		y = append(y, i > 0)
	}
	a, b := platt(s, y)
	assert.Less(t, a, -1.0, "P(y=1) grows with the score")
	assert.InDelta(t, 0, b, 0.5)
	p := func(x float64) float64 { return 1 / (1 + math.Exp(a*x+b)) }
	assert.Greater(t, p(1), 0.8)
	assert.Less(t, p(-1), 0.2)
}

func TestDecideMinLabels(t *testing.T) {
	m := &Model{Labels: []Label{{ID: "a", Threshold: 0.5}, {ID: "b", Threshold: 0}}}
	assert.Empty(t, m.Decide(nil, []float64{0.4, -0.2}))
	m.MinLabels = 1
	assert.Equal(t, []int{0}, m.Decide(nil, []float64{0.4, -0.2}), "closest to its threshold")
	assert.Equal(t, []int{0, 1}, m.Decide(nil, []float64{0.6, 0.1}))
}
