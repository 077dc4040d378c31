package nlp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/corridorhq/corridor/nlp/model"
)

// state is everything an analysis depends on that a reload can change: the
// compiled taxonomy, the model, and the tokenizer whose word cache holds
// taxonomy and model ids. It is immutable once built; Analyze loads it once
// per call, so every analysis comes from one consistent state.
type state struct {
	tk     *tokenizer
	tx     *taxonomy
	specs  []themeSpec // tx's source, the lexicon of models trained here
	ms     *modelState // nil without a model
	themes []ThemeInfo // taxonomy themes, then model labels that are not theme ids
	// stamps of the files the state was built from (zero when embedded)
	taxStamp, modelStamp fileStamp
}

// fileStamp identifies a version of a file for Watch.
type fileStamp struct {
	size    int64
	modTime time.Time
}

func stampOf(path string) (fileStamp, error) {
	if path == "" {
		return fileStamp{}, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{size: fi.Size(), modTime: fi.ModTime()}, nil
}

// load builds a state from the configured files. The files are stat'ed
// before they are read, so a change during the read is seen by the next
// Watch poll rather than missed.
//
// On error the stamps of what was read are returned too, so that Watch
// reports a bad file once, however its stamp changed while it was read.
func (a *Analyzer) load() (*state, fileStamp, fileStamp, error) {
	taxStamp, err1 := stampOf(a.cfg.Taxonomy)
	modelStamp, err2 := stampOf(a.cfg.Model)
	if err1 != nil {
		return nil, taxStamp, modelStamp, fmt.Errorf("taxonomy: %w", err1)
	}
	if err2 != nil {
		return nil, taxStamp, modelStamp, fmt.Errorf("model: %w", err2)
	}
	specs, err := loadTaxonomy(a.cfg.Taxonomy)
	if err != nil {
		return nil, taxStamp, modelStamp, err
	}
	var m *model.Model
	if a.cfg.Model != "" {
		if m, err = model.ReadFile(a.cfg.Model); err != nil {
			return nil, taxStamp, modelStamp, err
		}
	}
	st, err := a.build(specs, m, a.cfg.ModelMode == ModelReplace)
	if err != nil {
		return nil, taxStamp, modelStamp, err
	}
	st.taxStamp, st.modelStamp = taxStamp, modelStamp
	return st, taxStamp, modelStamp, nil
}

// build compiles a taxonomy and an optional model into a state with a fresh
// tokenizer and word cache.
func (a *Analyzer) build(specs []themeSpec, m *model.Model, replace bool) (*state, error) {
	tk := newTokenizer(sharedModel(), a.lex)
	tx, err := compileTaxonomy(specs, tk)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	st := &state{tk: tk, tx: tx, specs: specs, themes: tx.themes}
	if m != nil {
		if st.ms, err = compileModel(m, tx, specs, tk, replace); err != nil {
			return nil, err
		}
		st.themes = st.ms.out
		tk.mv = st.ms
	}
	tk.setVocab(tx.vocab)
	tk.cache = newWordCache()
	return st, nil
}

// Reload re-reads the taxonomy file and the model file named in the Config
// given to New (the embedded default taxonomy needs no reading) and swaps
// them in atomically: analyses already running finish with the old ones,
// later ones use the new ones. On error the current taxonomy and model stay
// in use. The word cache starts empty again, so the next few thousand
// analyses are slower (cold words cost about 5 µs each). Reload is safe to
// call concurrently with Analyze, Watch and itself, e.g. on SIGHUP.
func (a *Analyzer) Reload() error {
	_, _, err := a.reload()
	return err
}

// reload is Reload, also returning the stamps of the files it read.
func (a *Analyzer) reload() (fileStamp, fileStamp, error) {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	st, tax, mod, err := a.load()
	if err != nil {
		return tax, mod, fmt.Errorf("nlp: reload: %w", err)
	}
	a.st.Store(st)
	return tax, mod, nil
}

// Watch polls the taxonomy and model files every interval (default 1 s when
// interval <= 0) and reloads when the size or modification time of either
// changes. Errors (a file that is gone, a taxonomy or model that does not
// validate) go to onErr, if not nil, once per version of the files; the
// previous state stays in use until a good version appears. Watch blocks
// until ctx is done; run it in its own goroutine. Without files to watch
// (the embedded taxonomy and no model) it just waits for ctx.
func (a *Analyzer) Watch(ctx context.Context, interval time.Duration, onErr func(error)) {
	if interval <= 0 {
		interval = time.Second
	}
	if a.cfg.Taxonomy == "" && a.cfg.Model == "" {
		<-ctx.Done()
		return
	}
	report := func(err error) {
		if onErr != nil {
			onErr(err)
		}
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var failedTax, failedModel fileStamp
	failed := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		tax, err1 := stampOf(a.cfg.Taxonomy)
		mod, err2 := stampOf(a.cfg.Model)
		if err := errors.Join(err1, err2); err != nil {
			if !failed || tax != failedTax || mod != failedModel {
				report(fmt.Errorf("nlp: watch: %w", err))
			}
			failed, failedTax, failedModel = true, tax, mod
			continue
		}
		st := a.st.Load()
		if tax == st.taxStamp && mod == st.modelStamp {
			continue
		}
		if failed && tax == failedTax && mod == failedModel {
			continue // already reported; wait for the next change
		}
		if tax, mod, err := a.reload(); err != nil {
			if !failed || tax != failedTax || mod != failedModel {
				report(err)
			}
			failed, failedTax, failedModel = true, tax, mod
			continue
		}
		failed = false
	}
}
