package nlp

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/nlp/model"
)

const (
	taxA = `version: 1
themes:
  - {id: a_refund, label: Refund A, group: a, terms: [refund, money back]}
  - {id: a_delivery, label: Delivery A, group: a, terms: [delivery, courier, parcel]}
`
	taxB = `version: 1
themes:
  - {id: b_refund, label: Refund B, group: b, terms: [refund]}
  - {id: b_delivery, label: Delivery B, group: b, terms: [delivery, courier, parcel, package]}
  - {id: b_staff, label: Staff B, group: b, terms: [staff, agent, rude]}
`
)

// writeFile replaces path atomically, as editors and config management do.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o644))
	require.NoError(t, os.Rename(tmp, path))
}

func newWithTaxonomy(t testing.TB, path string) *Analyzer {
	t.Helper()
	cfg := NewDefaultConfig()
	cfg.Taxonomy = path
	a, err := New(cfg)
	require.NoError(t, err)
	return a
}

// TestReloadUnderLoad reloads the taxonomy 50 times while 8 goroutines
// analyze: every analysis must be exactly what an Analyzer with one of the
// two taxonomies gives, never a mix. Run with -race.
func TestReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	pathA, pathB, path := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml"), filepath.Join(dir, "taxonomy.yaml")
	writeFile(t, pathA, taxA)
	writeFile(t, pathB, taxB)
	writeFile(t, path, taxA)
	texts := append(verbatims(t)[:4],
		"The courier lost my parcel and the agent was rude about the refund.",
		"Refund please, the package never came.",
	)
	wantA, wantB := newWithTaxonomy(t, pathA), newWithTaxonomy(t, pathB)
	want := func(a *Analyzer) []feedback.Analysis {
		out := make([]feedback.Analysis, len(texts))
		for i, s := range texts {
			out[i] = a.Analyze(s)
		}
		return out
	}
	outA, outB := want(wantA), want(wantB)
	a := newWithTaxonomy(t, path)

	var stop atomic.Bool
	var seenA, seenB atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := g; !stop.Load(); i++ {
				k := i % len(texts)
				an := a.Analyze(texts[k])
				switch {
				case assert.ObjectsAreEqual(outA[k], an):
					seenA.Add(1)
				case assert.ObjectsAreEqual(outB[k], an):
					seenB.Add(1)
				default:
					assert.Fail(t, "analysis from no single taxonomy", "text %q: %+v", texts[k], an.Themes)
					return
				}
				runtime.Gosched() // let the reloads through on a small machine
			}
		})
	}
	for i := 0; i < 50; i++ {
		content := taxA
		if i%2 == 0 {
			content = taxB
		}
		writeFile(t, path, content)
		require.NoError(t, a.Reload())
		ids := a.Themes()
		prefix := ids[0].ID[:2]
		for _, th := range ids {
			assert.True(t, strings.HasPrefix(th.ID, prefix), "Themes from one taxonomy: %v", ids)
		}
	}
	stop.Store(true)
	wg.Wait()
	assert.Positive(t, seenA.Load())
	assert.Positive(t, seenB.Load())
}

func TestReloadKeepsStateOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "taxonomy.yaml")
	writeFile(t, path, taxA)
	a := newWithTaxonomy(t, path)
	before := a.Analyze("Where is my refund?")
	require.Equal(t, []string{"a_refund"}, themeIDs(before))

	for name, content := range map[string]string{
		"invalid yaml":  "version: 1\nthemes: [",
		"invalid theme": "version: 1\nthemes:\n  - {id: Bad, label: x, terms: [y]}\n",
	} {
		t.Run(name, func(t *testing.T) {
			writeFile(t, path, content)
			err := a.Reload()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "nlp: reload: ")
			assert.Equal(t, before, a.Analyze("Where is my refund?"), "the old taxonomy stays in use")
			assert.Equal(t, "a_refund", a.Themes()[0].ID)
		})
	}
	require.NoError(t, os.Remove(path))
	assert.ErrorContains(t, a.Reload(), "no such file")

	writeFile(t, path, taxB)
	require.NoError(t, a.Reload())
	assert.Equal(t, []string{"b_refund"}, themeIDs(a.Analyze("Where is my refund?")))
}

func TestReloadModel(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.json")
	m := trainCX(t, analyzer(t), 1)
	require.NoError(t, m.WriteFile(path))
	cfg := NewDefaultConfig()
	cfg.Model, cfg.ModelMode = path, ModelReplace
	a, err := New(cfg)
	require.NoError(t, err)
	require.Equal(t, []string{"shipping"}, themeIDs(a.Analyze("The courier lost my parcel.")))

	// A model with other label names.
	var exs []model.Example
	for _, ex := range trainExamples(t) {
		for i := range ex.Themes {
			ex.Themes[i] = "x_" + ex.Themes[i]
		}
		exs = append(exs, ex)
	}
	m2, err := analyzer(t).Train(exs, model.TrainOptions{Seed: 1})
	require.NoError(t, err)
	require.NoError(t, m2.WriteFile(path))
	require.NoError(t, a.Reload())
	assert.Equal(t, []string{"x_shipping"}, themeIDs(a.Analyze("The courier lost my parcel.")))
	assert.Nil(t, a.st.Load().ms.sent, "the new model has no sentiment part")

	writeFile(t, path, `{"format_version": 99}`)
	require.ErrorIs(t, a.Reload(), model.ErrFormat)
	assert.Equal(t, []string{"x_shipping"}, themeIDs(a.Analyze("The courier lost my parcel.")))
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "taxonomy.yaml")
	writeFile(t, path, taxA)
	a := newWithTaxonomy(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 16)
	done := make(chan struct{})
	go func() {
		a.Watch(ctx, 5*time.Millisecond, func(err error) { errs <- err })
		close(done)
	}()
	hasTheme := func(id string) func() bool {
		return func() bool { return a.Themes()[0].ID == id }
	}

	writeFile(t, path, taxB)
	require.Eventually(t, hasTheme("b_refund"), 5*time.Second, 5*time.Millisecond)

	writeFile(t, path, "version: 1\nthemes: [")
	select {
	case err := <-errs:
		assert.Contains(t, err.Error(), "nlp: reload: ")
	case <-time.After(5 * time.Second):
		t.Fatal("no error reported for an invalid taxonomy")
	}
	time.Sleep(50 * time.Millisecond)
	if len(errs) > 0 {
		t.Errorf("one report per change, got another: %v", <-errs)
	}
	assert.Equal(t, "b_refund", a.Themes()[0].ID, "still the last good taxonomy")

	writeFile(t, path, taxA)
	require.Eventually(t, hasTheme("a_refund"), 5*time.Second, 5*time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after cancel")
	}
}

func TestWatchNothingToWatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	analyzer(t).Watch(ctx, time.Millisecond, func(err error) { t.Error(err) })
	assert.Error(t, ctx.Err(), "returns when the context ends")
}
