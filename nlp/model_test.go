package nlp

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/nlp/model"
)

const (
	trainFile  = "testdata/train/cx.jsonl"
	modelFile  = "testdata/model/cx.model.json" // trained from trainFile, seed 1; UPDATE_GOLDEN=1 rewrites it
	trainLabel = "shipping"
)

func trainExamples(t testing.TB) []model.Example {
	t.Helper()
	f, err := os.Open(trainFile)
	require.NoError(t, err)
	defer f.Close()
	exs, err := model.ReadJSONL(f)
	require.NoError(t, err)
	return exs
}

// trainCX trains the theme and sentiment model of trainFile.
func trainCX(t testing.TB, a *Analyzer, seed int64) *model.Model {
	t.Helper()
	exs := trainExamples(t)
	m, err := a.Train(exs, model.TrainOptions{Seed: seed})
	require.NoError(t, err)
	s, err := a.TrainSentiment(exs, model.TrainOptions{Seed: seed})
	require.NoError(t, err)
	m.Sentiment = s
	return m
}

func encodeModel(t testing.TB, m *model.Model) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, m.Write(&b))
	return b.Bytes()
}

// TestTrainGolden checks that training is deterministic (same seed, same
// bytes, also across Analyzers) and that the committed model fixture is
// what the current code trains.
func TestTrainGolden(t *testing.T) {
	a := analyzer(t)
	got := encodeModel(t, trainCX(t, a, 1))
	fresh, err := New(NewDefaultConfig())
	require.NoError(t, err)
	assert.Equal(t, got, encodeModel(t, trainCX(t, fresh, 1)), "same seed: same bytes")
	assert.NotEqual(t, got, encodeModel(t, trainCX(t, a, 2)))
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, os.WriteFile(modelFile, got, 0o644))
	}
	want, err := os.ReadFile(modelFile)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "stale %s: run UPDATE_GOLDEN=1 go test ./nlp/", modelFile)
}

func modelAnalyzer(t testing.TB, mode string) *Analyzer {
	t.Helper()
	cfg := NewDefaultConfig()
	cfg.Model, cfg.ModelMode = modelFile, mode
	a, err := New(cfg)
	require.NoError(t, err)
	return a
}

func TestAnalyzeWithModel(t *testing.T) {
	combine := modelAnalyzer(t, ModelCombine)
	replace := modelAnalyzer(t, ModelReplace)

	infos := combine.Themes()
	require.Len(t, infos, len(analyzer(t).Themes())+4, "taxonomy themes then the model's labels")
	assert.Equal(t, ThemeInfo{ID: "app", Label: "app", Group: "model"}, infos[len(infos)-4])
	assert.Len(t, replace.Themes(), 4)

	tests := []struct {
		text      string
		model     []string // model labels expected
		rule      string   // a rule theme expected in combine mode
		sentiment string
	}{
		{"My parcel never arrived and the courier ignored my calls.", []string{"shipping"}, "delivery", "negative"},
		{"They charged me twice and the refund is still missing.", []string{"payments"}, "billing", "negative"},
		{"The app keeps crashing since the update.", []string{"app"}, "reliability", "negative"},
		{"The agent was friendly and patient.", []string{"staff"}, "staff_attitude", "positive"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			an := replace.Analyze(tt.text)
			checkInvariants(t, an)
			assert.Equal(t, tt.model, themeIDs(an), "replace: model themes only")
			th := an.Themes[0]
			assert.Equal(t, "model", th.Group)
			assert.Greater(t, th.Confidence, 0.5)
			require.NotEmpty(t, th.Matches, "the top contributing words")
			require.NotNil(t, an.Sentiment)
			assert.Equal(t, tt.sentiment, an.Sentiment.Label, "sentiment model: score %v", an.Sentiment.Score)

			an = combine.Analyze(tt.text)
			checkInvariants(t, an)
			ids := themeIDs(an)
			for _, id := range tt.model {
				assert.Contains(t, ids, id)
			}
			assert.Contains(t, ids, tt.rule, "combine keeps the rule themes")
		})
	}

	// Non-English text: no model guess either.
	an := combine.Analyze("El repartidor nunca llegó y el servicio al cliente fue terrible.")
	assert.Empty(t, an.Themes)
	assert.Nil(t, an.Sentiment)
}

// TestModelLabelMergesWithTheme: a model label equal to a taxonomy theme id
// is that theme, not a second one.
func TestModelLabelMergesWithTheme(t *testing.T) {
	a := analyzer(t)
	var exs []model.Example
	for _, ex := range trainExamples(t) {
		for i, th := range ex.Themes {
			if th == "shipping" {
				ex.Themes[i] = "delivery"
			}
		}
		exs = append(exs, ex)
	}
	m, err := a.Train(exs, model.TrainOptions{Seed: 1})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.json")
	require.NoError(t, m.WriteFile(path))
	cfg := NewDefaultConfig()
	cfg.Model = path
	b, err := New(cfg)
	require.NoError(t, err)
	assert.Len(t, b.Themes(), len(a.Themes())+3)
	an := b.Analyze("The courier left my package in the rain.")
	checkInvariants(t, an)
	n := 0
	for _, th := range an.Themes {
		if th.ID == "delivery" {
			n++
			assert.Equal(t, "Delivery & shipping", th.Label)
			assert.GreaterOrEqual(t, th.Confidence, 0.55)
		}
	}
	assert.Equal(t, 1, n, "%v", themeIDs(an))
}

// TestModelFeaturesMatchTraining checks that the features Analyze finds by
// cached ids are exactly the training features (strings) the model knows,
// for the model's own lexicon and for the rule taxonomy as lexicon.
func TestModelFeaturesMatchTraining(t *testing.T) {
	lexCfg := NewDefaultConfig()
	lexCfg.Taxonomy = "testdata/taxonomy/valid_extends.yaml"
	lexA, err := New(lexCfg)
	require.NoError(t, err)
	texts := verbatims(t)
	for _, ex := range trainExamples(t) {
		texts = append(texts, ex.Text)
	}
	texts = append(texts, "Paid $30 (€5) for 2 items!! Email a@b.io, it wasn't cheap, not at all.",
		// Exact-form terms of the default taxonomy ("=training", "=package",
		// "=manager") next to words of the same stems.
		"The training was fine, the train was late, the package had poor packaging and the manager managed it.",
		// "<n>" terms ("took <n> weeks") next to the same words without a number.
		"The refund took 6 weeks, the repair took three days and the reply took weeks.")
	exs := make([]model.Example, len(texts))
	for i, s := range texts {
		exs[i] = model.Example{Text: s, Themes: []string{[]string{"x", "y"}[i%2]}, Polarity: []string{"positive", "negative"}[i/2%2]}
	}
	for _, trainer := range []*Analyzer{analyzer(t), lexA} {
		tmpl := []string{TemplateUnigram, TemplateBigram, TemplateTheme, TemplateChar, TemplateNegated}
		quick := model.TrainOptions{MinCount: 1, Folds: 2, C: []float64{1}}
		quick.Templates = tmpl
		m, err := trainer.Train(exs, quick)
		require.NoError(t, err)
		quick.Templates = nil
		s, err := trainer.TrainSentiment(exs, quick)
		require.NoError(t, err)
		m.Sentiment = s
		path := filepath.Join(t.TempDir(), "m.json")
		require.NoError(t, m.WriteFile(path))
		cfg := NewDefaultConfig()
		cfg.Model = path
		b, err := New(cfg)
		require.NoError(t, err)
		st := b.st.Load()
		assert.Equal(t, trainer != analyzer(t), st.ms.lex != nil, "own lexicon only when it differs from the taxonomy")

		// Shared ids back to strings.
		names := make([]string, st.ms.nf)
		dict := map[string]bool{}
		for _, f := range append(slices.Clone(m.Features), s.Features...) {
			dict[f] = true
		}
		for f := range dict {
			names[sharedID(t, st.ms, m, s, f)] = f
		}
		docs := trainer.docs(exs, tmpl)
		sc := new(scratch)
		for i, ex := range exs {
			var want []string
			for _, f := range docs[i].Features {
				if dict[f] && !slices.Contains(want, f) {
					want = append(want, f)
				}
			}
			red, _ := b.redact(sc, ex.Text, len(ex.Text))
			sc.toks, sc.words = st.tk.tokens(sc.toks[:0], sc.words, red)
			if len(sc.pii) > 0 {
				markPII(sc.toks, sc.pii)
			}
			findThemes(st.tx, sc, sc.toks)
			st.ms.collect(sc, sc.toks)
			var got []string
			for _, fh := range sc.feats {
				got = append(got, names[fh.f])
			}
			slices.Sort(want)
			slices.Sort(got)
			require.Equal(t, want, got, ex.Text)
		}
	}
}

// sharedID finds the shared id of feature f through the heads' rows.
func sharedID(t *testing.T, ms *modelState, m, s *model.Model, f string) int32 {
	t.Helper()
	for _, h := range []*head{ms.themes, ms.sent} {
		if i, ok := h.m.Index()[f]; ok {
			w := h.m.Weights[i]
			for k, row := range h.rows {
				if row != nil && &row[0] == &w[0] {
					return int32(k)
				}
			}
		}
	}
	t.Fatalf("feature %q has no shared id", f)
	return -1
}

func TestNewModelErrors(t *testing.T) {
	dir := t.TempDir()
	m := trainCX(t, analyzer(t), 1)
	write := func(name string, edit func(*model.Model)) string {
		mm := *m
		edit(&mm)
		p := filepath.Join(dir, name)
		require.NoError(t, mm.WriteFile(p))
		return p
	}
	tests := []struct {
		path, err string
	}{
		{filepath.Join(dir, "missing.json"), "no such file"},
		{write("norm.json", func(m *model.Model) { m.Normalizer = "other" }), `normalizer "other"`},
		{write("tmpl.json", func(m *model.Model) { m.Templates = []string{"unigram", "lexicon", "trigram"} }), `"trigram" not supported`},
		{write("lex.json", func(m *model.Model) { m.Lexicon = []model.LexiconTheme{{ID: "Bad Id", Terms: []string{"x"}}} }), "lexicon"},
	}
	for _, tt := range tests {
		cfg := NewDefaultConfig()
		cfg.Model = tt.path
		_, err := New(cfg)
		require.Error(t, err, tt.path)
		assert.Contains(t, err.Error(), tt.err)
		assert.Contains(t, err.Error(), "nlp: ")
	}
}
