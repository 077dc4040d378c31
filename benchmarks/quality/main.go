// Command quality measures the NLP stage on public labeled data sets and
// prints one table (`make quality`):
//
//   - SemEval-2014 Task 4 restaurants, aspect category detection: micro
//     P/R/F1 over the five categories on Restaurants_Test_Gold.xml, for the
//     taxonomy rules alone (themes mapped to categories by
//     semeval2014_rules.yaml), for a model trained on
//     Restaurants_Train_v2.xml only, and for both combined (union);
//
//   - SemEval-2015 Task 12 restaurants and laptops, ENTITY#ATTRIBUTE
//     category detection: a model trained on the train file, scored on the
//     test file (micro P/R/F1 over sentence-category pairs, every sentence
//     counted, out-of-scope ones included);
//
//   - UCI sentiment labelled sentences (amazon + yelp): accuracy of the
//     overall sentiment label, positive = label "positive" (score >= 0.05),
//     everything else counted as negative, for the lexicon alone and with a
//     sentiment model trained on the polarities of the four SemEval train
//     files. Nothing is tuned on them.
//
//   - themes_dev.jsonl, themes_test.jsonl and themes_heldout.jsonl,
//     made-up English CX feedback labelled with the default taxonomy's
//     themes and a sentiment: micro P/R/F1 of the themes and accuracy of
//     the overall label;
//
//   - languages.jsonl, made-up feedback in 24 languages (a development
//     set): how often the language is named, how often non-English text
//     gets no English analysis, and how often English text gets one.
//
// Models are trained with a fixed seed and tuned by cross-validation on the
// train files only; the test files are read only to score. The restaurant
// models take their "theme" features from restaurants_lexicon.yaml.
//
// Usage:
//
//	go run ./benchmarks/quality [--data ../shared/data] [--seed 1] [--save DIR] [--skip semeval2014,semeval2015,uci,themes,languages]
//	go run ./benchmarks/quality --cv   # the train-only comparisons that chose the defaults
package main

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/corridorhq/corridor/gateway/feedback"
	"github.com/corridorhq/corridor/nlp"
	"github.com/corridorhq/corridor/nlp/model"
)

//go:embed semeval2014_rules.yaml
var rulesYAML []byte

// restaurantsLexicon extends the default taxonomy with restaurant terms; the
// restaurant models take their "theme" features from it.
//
//go:embed restaurants_lexicon.yaml
var restaurantsLexicon []byte

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
}

type options struct {
	data string
	seed int64
	save string
	skip map[string]bool
	only string // cv: only the variants whose templates contain this
}

func run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quality", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var skip string
	fs.StringVar(&o.data, "data", "../shared/data", "folder with semeval2014/, semeval2015/ and uci_sentiment/")
	fs.Int64Var(&o.seed, "seed", 1, "training seed")
	fs.StringVar(&o.save, "save", "", "if set, write the trained models into this folder")
	fs.StringVar(&skip, "skip", "", "comma-separated rows to skip: semeval2014, semeval2015, uci, themes, languages")
	fs.StringVar(&o.only, "cv-only", "", "with --cv: only the variants whose template list contains this text")
	cv := fs.Bool("cv", false, "print cross-validation figures on the SemEval-2014 train file for feature variants (reads no test file) and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.skip = map[string]bool{}
	for _, s := range strings.Split(skip, ",") {
		o.skip[strings.TrimSpace(s)] = true
	}
	base, err := nlp.New(nlp.NewDefaultConfig())
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "corridor-quality-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.save == "" {
		o.save = tmp
	} else if err := os.MkdirAll(o.save, 0o755); err != nil {
		return err
	}
	lexPath := filepath.Join(tmp, "restaurants_lexicon.yaml")
	if err := os.WriteFile(lexPath, restaurantsLexicon, 0o644); err != nil {
		return err
	}
	lex, err := nlp.New(nlp.Config{MaxTextBytes: nlp.DefaultMaxTextBytes, Taxonomy: lexPath})
	if err != nil {
		return fmt.Errorf("restaurants_lexicon.yaml: %w", err)
	}
	if *cv {
		return cvReport(stdout, base, lex, o)
	}

	var rows []row
	start := time.Now()
	if !o.skip["semeval2014"] {
		r, err := semeval2014(base, lex, o)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if !o.skip["semeval2015"] {
		for _, d := range []struct{ name, train, test string }{
			{"restaurants", "ABSA-15_Restaurants_Train_Final.xml", "ABSA15_Restaurants_Test.xml"},
			{"laptops", "ABSA-15_Laptops_Train_Data.xml", "ABSA15_Laptops_Test.xml"},
		} {
			trainer := base
			if d.name == "restaurants" {
				trainer = lex
			}
			r, err := semeval2015(trainer, o, d.name, d.train, d.test)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	if !o.skip["uci"] {
		r, err := uci(base, lex, o)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if !o.skip["themes"] {
		r, err := themes(base)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if !o.skip["languages"] {
		r, err := languages(base)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	printTable(stdout, rows)
	fmt.Fprintf(stdout, "\n(data %s, seed %d, %.0f s)\n", o.data, o.seed, time.Since(start).Seconds())
	return nil
}

// row is one line of the table.
type row struct {
	data, system string
	n            int // test items
	p, r, f1     float64
	acc          float64 // accuracy rows only
	isAcc        bool
	note         string
}

func printTable(w io.Writer, rows []row) {
	fmt.Fprintf(w, "%-34s %-34s %6s %6s %6s %6s %8s  %s\n", "data set (test)", "system", "n", "P", "R", "F1", "accuracy", "note")
	fmt.Fprintln(w, strings.Repeat("-", 120))
	for _, r := range rows {
		if r.isAcc {
			fmt.Fprintf(w, "%-34s %-34s %6d %6s %6s %6s %8.4f  %s\n", r.data, r.system, r.n, "", "", "", r.acc, r.note)
			continue
		}
		fmt.Fprintf(w, "%-34s %-34s %6d %6.4f %6.4f %6.4f %8s  %s\n", r.data, r.system, r.n, r.p, r.r, r.f1, "", r.note)
	}
}

func readExamples(format, path string) ([]model.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return model.ReadExamples(format, bufio.NewReader(f))
}

// train trains a model on the train examples and writes it to dir/name.
func train(base *nlp.Analyzer, o options, name string, examples []model.Example) (string, *model.Model, error) {
	m, err := base.Train(examples, model.TrainOptions{Seed: o.seed})
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(o.save, name)
	if err := m.WriteFile(path); err != nil {
		return "", nil, err
	}
	return path, m, nil
}

// scorer counts micro-averaged sentence-category pairs.
type scorer struct{ tp, fp, fn int }

func (s *scorer) add(gold, pred []string) {
	for _, p := range pred {
		if slices.Contains(gold, p) {
			s.tp++
		} else {
			s.fp++
		}
	}
	for _, g := range gold {
		if !slices.Contains(pred, g) {
			s.fn++
		}
	}
}

func (s *scorer) prf() (float64, float64, float64) {
	var p, r, f float64
	if s.tp+s.fp > 0 {
		p = float64(s.tp) / float64(s.tp+s.fp)
	}
	if s.tp+s.fn > 0 {
		r = float64(s.tp) / float64(s.tp+s.fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

type rules struct {
	Fallback   string              `yaml:"fallback"`
	Categories map[string][]string `yaml:"categories"`
}

func (r *rules) categories(themes []feedback.Theme, fallback bool) []string {
	var out []string
	for _, th := range themes {
		for cat, ids := range r.Categories {
			if slices.Contains(ids, th.ID) && !slices.Contains(out, cat) {
				out = append(out, cat)
			}
		}
	}
	if len(out) == 0 && fallback && r.Fallback != "" {
		out = append(out, r.Fallback)
	}
	slices.Sort(out)
	return out
}

func themeIDs(themes []feedback.Theme, keep func(string) bool) []string {
	var out []string
	for _, th := range themes {
		if keep(th.ID) && !slices.Contains(out, th.ID) {
			out = append(out, th.ID)
		}
	}
	return out
}

func semeval2014(base, lex *nlp.Analyzer, o options) ([]row, error) {
	var rl rules
	if err := yaml.Unmarshal(rulesYAML, &rl); err != nil {
		return nil, fmt.Errorf("semeval2014_rules.yaml: %w", err)
	}
	known := map[string]bool{}
	for _, th := range base.Themes() {
		known[th.ID] = true
	}
	for cat, ids := range rl.Categories {
		for _, id := range ids {
			if !known[id] {
				return nil, fmt.Errorf("semeval2014_rules.yaml: %s: unknown theme %q", cat, id)
			}
		}
	}
	dir := filepath.Join(o.data, "semeval2014")
	trainEx, err := readExamples(model.FormatSemEval2014, filepath.Join(dir, "Restaurants_Train_v2.xml"))
	if err != nil {
		return nil, err
	}
	testEx, err := readExamples(model.FormatSemEval2014, filepath.Join(dir, "Restaurants_Test_Gold.xml"))
	if err != nil {
		return nil, err
	}
	path, m, err := train(lex, o, "semeval2014_restaurants.model.json", trainEx)
	if err != nil {
		return nil, err
	}
	cats := map[string]bool{}
	for _, l := range m.Labels {
		cats[l.ID] = true
	}
	isCat := func(id string) bool { return cats[id] }
	replace, err := nlp.New(nlp.Config{MaxTextBytes: nlp.DefaultMaxTextBytes, Model: path, ModelMode: nlp.ModelReplace})
	if err != nil {
		return nil, err
	}
	combine, err := nlp.New(nlp.Config{MaxTextBytes: nlp.DefaultMaxTextBytes, Model: path, ModelMode: nlp.ModelCombine})
	if err != nil {
		return nil, err
	}
	var sr, sm, sc scorer
	for _, ex := range testEx {
		sr.add(ex.Themes, rl.categories(base.Analyze(ex.Text).Themes, true))
		sm.add(ex.Themes, themeIDs(replace.Analyze(ex.Text).Themes, isCat))
		an := combine.Analyze(ex.Text)
		union := themeIDs(an.Themes, isCat)
		for _, c := range rl.categories(an.Themes, false) {
			if !slices.Contains(union, c) {
				union = append(union, c)
			}
		}
		sc.add(ex.Themes, union)
	}
	const name = "SemEval-2014 restaurants (5 cat.)"
	mk := func(system string, s scorer, note string) row {
		p, r, f := s.prf()
		return row{data: name, system: system, n: len(testEx), p: p, r: r, f1: f, note: note}
	}
	return []row{
		mk("rules only (taxonomy -> categories)", sr, "mapping: benchmarks/quality/semeval2014_rules.yaml"),
		mk("model (trained on train file)", sm, fmt.Sprintf("C=%g, cv F1 on train %.4f", m.Training.C, m.Training.CVF1)),
		mk("rules + model (union)", sc, "model_mode combine; rule categories without fallback"),
	}, nil
}

func semeval2015(trainer *nlp.Analyzer, o options, domain, trainFile, testFile string) (row, error) {
	dir := filepath.Join(o.data, "semeval2015")
	trainEx, err := readExamples(model.FormatSemEval2015, filepath.Join(dir, trainFile))
	if err != nil {
		return row{}, err
	}
	testEx, err := readExamples(model.FormatSemEval2015, filepath.Join(dir, testFile))
	if err != nil {
		return row{}, err
	}
	path, m, err := train(trainer, o, "semeval2015_"+domain+".model.json", trainEx)
	if err != nil {
		return row{}, err
	}
	cats := map[string]bool{}
	for _, l := range m.Labels {
		cats[l.ID] = true
	}
	a, err := nlp.New(nlp.Config{MaxTextBytes: nlp.DefaultMaxTextBytes, Model: path, ModelMode: nlp.ModelReplace})
	if err != nil {
		return row{}, err
	}
	var s scorer
	for _, ex := range testEx {
		s.add(ex.Themes, themeIDs(a.Analyze(ex.Text).Themes, func(id string) bool { return cats[id] }))
	}
	p, r, f := s.prf()
	return row{
		data: "SemEval-2015 " + domain + " (E#A)", system: "model (trained on train file)", n: len(testEx),
		p: p, r: r, f1: f, note: fmt.Sprintf("%d labels, C=%g, cv F1 on train %.4f", len(m.Labels), m.Training.C, m.Training.CVF1),
	}, nil
}

// uci scores the overall sentiment label on the UCI sentences, for the
// lexicon alone (the default Analyzer) and with a sentiment model trained on
// the polarities of the four SemEval train files (attached to the
// SemEval-2014 restaurant theme model).
func uci(base, lex *nlp.Analyzer, o options) ([]row, error) {
	exs, err := sentimentExamples(o, []int{0, 1, 2, 3}, nil)
	if err != nil {
		return nil, err
	}
	sm, err := base.TrainSentiment(exs, model.TrainOptions{Seed: o.seed})
	if err != nil {
		return nil, err
	}
	themesPath := filepath.Join(o.save, "semeval2014_restaurants.model.json")
	tm, err := model.ReadFile(themesPath)
	if err != nil { // the SemEval-2014 row was skipped
		trainEx, err := readExamples(model.FormatSemEval2014, filepath.Join(o.data, "semeval2014", "Restaurants_Train_v2.xml"))
		if err != nil {
			return nil, err
		}
		if _, tm, err = train(lex, o, "semeval2014_restaurants.model.json", trainEx); err != nil {
			return nil, err
		}
	}
	tm.Sentiment = sm
	path := filepath.Join(o.save, "semeval_sentiment.model.json")
	if err := tm.WriteFile(path); err != nil {
		return nil, err
	}
	withModel, err := nlp.New(nlp.Config{MaxTextBytes: nlp.DefaultMaxTextBytes, Model: path, ModelMode: nlp.ModelCombine})
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, sys := range []struct {
		name string
		a    *nlp.Analyzer
		note string
	}{
		{"lexicon (default Analyze)", base, "positive = label positive (score >= 0.05), else negative"},
		{"lexicon + sentiment model", withModel, fmt.Sprintf("model trained on %d SemEval train sentences' polarities", len(exs))},
	} {
		total, correct := 0, 0
		for _, name := range []string{"amazon_cells_labelled.txt", "yelp_labelled.txt"} {
			b, err := os.ReadFile(filepath.Join(o.data, "uci_sentiment", name))
			if err != nil {
				return nil, err
			}
			n, ok := 0, 0
			for _, line := range strings.Split(string(b), "\n") {
				line = strings.TrimRight(line, "\r")
				if line == "" {
					continue
				}
				text, label, found := strings.Cut(line, "\t")
				if !found || (label != "0" && label != "1") {
					return nil, fmt.Errorf("%s: bad line %q", name, line)
				}
				an := sys.a.Analyze(text)
				pos := an.Sentiment != nil && an.Sentiment.Label == feedback.SentimentPositive
				if pos == (label == "1") {
					ok++
				}
				n++
			}
			rows = append(rows, row{data: "UCI sentiment " + strings.Split(name, "_")[0], system: sys.name, n: n, acc: float64(ok) / float64(n), isAcc: true})
			total += n
			correct += ok
		}
		if total == 0 {
			return nil, errors.New("uci: no sentences")
		}
		rows = append(rows, row{data: "UCI sentiment amazon+yelp", system: sys.name, n: total,
			acc: float64(correct) / float64(total), isAcc: true, note: sys.note})
	}
	return rows, nil
}
