package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const trainFixture = "../../nlp/testdata/train/cx.jsonl"

func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestTrainAndTagWithModel(t *testing.T) {
	dir := t.TempDir()
	m1, m2 := filepath.Join(dir, "m1.json"), filepath.Join(dir, "m2.json")
	out, _, err := runCmd(t, "", "train", "--format", "jsonl", "--in", trainFixture, "--out", m1, "--seed", "7")
	require.NoError(t, err)
	assert.Contains(t, out, "themes: 136 examples, 4 labels")
	assert.Contains(t, out, "sentiment: ")
	_, _, err = runCmd(t, "", "train", "--in", trainFixture, "--out", m2, "--seed", "7")
	require.NoError(t, err)
	b1, err := os.ReadFile(m1)
	require.NoError(t, err)
	b2, err := os.ReadFile(m2)
	require.NoError(t, err)
	assert.Equal(t, b1, b2, "same input and seed: same model bytes")
	assert.Contains(t, string(b1), `"format_version": 1`)

	in := `{"id": "r1", "text": "The courier left my parcel in the rain."}
{"id": 2, "text": "The app crashes every time I open it."}
`
	for _, mode := range []string{"combine", "replace"} {
		t.Run(mode, func(t *testing.T) {
			out, _, err := runCmd(t, in, "tag", "--model", m1, "--model-mode", mode)
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			require.Len(t, lines, 2)
			want := []struct {
				id    string
				label string
				rule  string
			}{{`"r1"`, "shipping", "delivery"}, {`2`, "app", "reliability"}}
			for i, l := range lines {
				var o struct {
					ID     json.RawMessage `json:"id"`
					Themes []struct {
						ID      string            `json:"id"`
						Matches []json.RawMessage `json:"matches"`
					} `json:"themes"`
					Sentiment struct{ Label string } `json:"sentiment"`
				}
				require.NoError(t, json.Unmarshal([]byte(l), &o), l)
				assert.Equal(t, want[i].id, string(o.ID), "id preserved")
				var ids []string
				for _, th := range o.Themes {
					ids = append(ids, th.ID)
				}
				assert.Contains(t, ids, want[i].label)
				if mode == "combine" {
					assert.Contains(t, ids, want[i].rule)
				} else {
					assert.Equal(t, []string{want[i].label}, ids)
				}
				assert.Equal(t, "negative", o.Sentiment.Label)
			}
		})
	}
}

func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.json")
	tests := []struct {
		args  []string
		usage bool
		err   string
	}{
		{[]string{"train", "--out", out}, true, "--in is required"},
		{[]string{"train", "--in", trainFixture, "--out", out, "--format", "csv"}, true, `--format "csv"`},
		{[]string{"train", "--in", trainFixture, "--out", out, "--sentiment", "maybe"}, true, `--sentiment "maybe"`},
		{[]string{"train", "--in", filepath.Join(dir, "missing.jsonl"), "--out", out}, false, "no such file"},
		{[]string{"train", "--format", "semeval2014", "--in", trainFixture, "--out", out}, false, "semeval2014"},
		{[]string{"tag", "--model", filepath.Join(dir, "missing.json")}, false, "no such file"},
		{[]string{"tag", "--model-mode", "replace"}, true, "model_mode: replace needs a model"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, _, err := runCmd(t, "", tt.args...)
			require.Error(t, err)
			assert.Equal(t, tt.usage, errors.Is(err, errUsage), "%v", err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err), "no model written on error")

	// --sentiment on without polarities fails; auto skips.
	noPol := filepath.Join(dir, "nopol.jsonl")
	b, err := os.ReadFile(trainFixture)
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		delete(m, "polarity")
		nb, _ := json.Marshal(m)
		lines = append(lines, string(nb))
	}
	require.NoError(t, os.WriteFile(noPol, []byte(strings.Join(lines, "\n")), 0o644))
	_, _, err = runCmd(t, "", "train", "--in", noPol, "--out", out, "--sentiment", "on")
	assert.ErrorContains(t, err, "0 positive and 0 negative")
	o, _, err := runCmd(t, "", "train", "--in", noPol, "--out", out)
	require.NoError(t, err)
	assert.Contains(t, o, "sentiment: not trained")
}
