package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/corridorhq/corridor/nlp"
	"github.com/corridorhq/corridor/nlp/model"
)

// cvReport prints 5-fold cross-validation figures on the SemEval-2014
// restaurant TRAIN file for the feature, weighting and lexicon variants that
// were compared to choose the defaults. It never reads a test file.
func cvReport(w io.Writer, base, lex *nlp.Analyzer, o options) (err error) {
	trainEx, err := readExamples(model.FormatSemEval2014, filepath.Join(o.data, "semeval2014", "Restaurants_Train_v2.xml"))
	if err != nil {
		return err
	}
	u, b, t, c, n := nlp.TemplateUnigram, nlp.TemplateBigram, nlp.TemplateTheme, nlp.TemplateChar, nlp.TemplateNegated
	type variant struct {
		lexicon string
		a       *nlp.Analyzer
		t       []string
		binary  bool
	}
	vs := []variant{
		{"default", base, []string{u}, true},
		{"default", base, []string{u, b}, true},
		{"default", base, []string{u, b, t}, true},
		{"default", base, []string{u, b, t, c}, true},
		{"default", base, []string{u, b, t, c}, false},
		{"restaurants", lex, []string{u, b, t}, true},
		{"restaurants", lex, []string{u, b, t, c}, true},
		{"restaurants", lex, []string{u, b, t, c, n}, true},
		{"restaurants", lex, []string{u, b, t}, false},
		{"restaurants", lex, []string{u, t, c}, false},
		{"restaurants", lex, []string{u, b, t, c}, false},
		{"restaurants", lex, []string{u, b, t, c, n}, false},
	}
	fmt.Fprintf(w, "5-fold cross-validation on Restaurants_Train_v2.xml (%d sentences), seed %d; micro P/R/F1 at CV-tuned thresholds\n", len(trainEx), o.seed)
	fmt.Fprintf(w, "%-11s %-34s %-6s %6s %6s %6s %5s %6s  %s\n", "lexicon", "templates", "values", "P", "R", "F1", "C", "feats", "per-label F1")
	for _, v := range vs {
		if o.only != "" && !strings.Contains(strings.Join(v.t, "+"), o.only) {
			continue
		}
		start := time.Now()
		m, err := v.a.Train(trainEx, model.TrainOptions{Seed: o.seed, Templates: v.t, Binary: v.binary})
		if err != nil {
			return err
		}
		var per []string
		for _, l := range m.Labels {
			per = append(per, fmt.Sprintf("%s %.3f", strings.TrimSuffix(l.ID, "/miscellaneous"), l.CVF1))
		}
		values := "idf"
		if v.binary {
			values = "binary"
		}
		fmt.Fprintf(w, "%-11s %-34s %-6s %6.4f %6.4f %6.4f %5g %6d  %s  (%.1fs)\n", v.lexicon, strings.Join(v.t, "+"), values,
			m.Training.CVPrecision, m.Training.CVRecall, m.Training.CVF1, m.Training.C, len(m.Features),
			strings.Join(per, ", "), time.Since(start).Seconds())
		if v.lexicon == "restaurants" && !v.binary && len(v.t) == 4 {
			path := filepath.Join(o.save, "themes-cv.model.json")
			if err := m.WriteFile(path); err != nil {
				return err
			}
			defer func() { err = sentimentCV(w, base, o, path) }()
		}
	}
	return nil
}

// sentimentFiles are the SemEval TRAIN files whose polarities train the
// sentiment model.
var sentimentFiles = []struct{ format, path string }{
	{model.FormatSemEval2014, "semeval2014/Restaurants_Train_v2.xml"},
	{model.FormatSemEval2014, "semeval2014/Laptop_Train_v2.xml"},
	{model.FormatSemEval2015, "semeval2015/ABSA-15_Restaurants_Train_Final.xml"},
	{model.FormatSemEval2015, "semeval2015/ABSA-15_Laptops_Train_Data.xml"},
}

// sentimentExamples reads the polarity-labeled sentences of files, each
// distinct text once, skipping texts in exclude.
func sentimentExamples(o options, files []int, exclude map[string]bool) ([]model.Example, error) {
	var out []model.Example
	seen := map[string]bool{}
	for _, i := range files {
		f := sentimentFiles[i]
		exs, err := readExamples(f.format, filepath.Join(o.data, f.path))
		if err != nil {
			return nil, err
		}
		for _, ex := range exs {
			if ex.Polarity == "" || seen[ex.Text] || exclude[ex.Text] {
				continue
			}
			seen[ex.Text] = true
			out = append(out, ex)
		}
	}
	return out, nil
}

// binaryAccuracy is the accuracy of "label is positive" on the positive and
// negative examples.
func binaryAccuracy(a *nlp.Analyzer, exs []model.Example) (float64, int) {
	n, ok := 0, 0
	for _, ex := range exs {
		if ex.Polarity != "positive" && ex.Polarity != "negative" {
			continue
		}
		an := a.Analyze(ex.Text)
		pos := an.Sentiment != nil && an.Sentiment.Label == "positive"
		if pos == (ex.Polarity == "positive") {
			ok++
		}
		n++
	}
	return float64(ok) / float64(max(n, 1)), n
}

// sentimentCV compares sentiment variants trained on the SemEval-2014 train
// files and scored on the SemEval-2015 train files (texts seen in training
// left out): binary accuracy on their positive and negative sentences.
func sentimentCV(w io.Writer, base *nlp.Analyzer, o options, themes string) error {
	trainEx, err := sentimentExamples(o, []int{0, 1}, nil)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, ex := range trainEx {
		seen[ex.Text] = true
	}
	evalEx, err := sentimentExamples(o, []int{2, 3}, seen)
	if err != nil {
		return err
	}
	acc, n := binaryAccuracy(base, evalEx)
	fmt.Fprintf(w, "\nsentiment: train on SemEval-2014 train polarities (%d sentences), accuracy on %d positive/negative SemEval-2015 train sentences\n", len(trainEx), n)
	fmt.Fprintf(w, "%-44s %.4f\n", "lexicon", acc)
	tm, err := model.ReadFile(themes)
	if err != nil {
		return err
	}
	u, b, c, n2, l := nlp.TemplateUnigram, nlp.TemplateBigram, nlp.TemplateChar, nlp.TemplateNegated, nlp.TemplateLexicon
	for vi, v := range [][]string{{u, b}, {u, b, n2}, {u, b, n2, l}, {u, b, n2, c, l}, {u, b, n2, l}} {
		binary := vi == 4
		s, err := base.TrainSentiment(trainEx, model.TrainOptions{Seed: o.seed, Templates: v, Binary: binary})
		if err != nil {
			return err
		}
		mm := *tm
		mm.Sentiment = s
		path := filepath.Join(o.save, "sentiment-cv.model.json")
		if err := mm.WriteFile(path); err != nil {
			return err
		}
		a, err := nlp.New(nlp.Config{MaxTextBytes: nlp.DefaultMaxTextBytes, Model: path, ModelMode: nlp.ModelCombine})
		if err != nil {
			return err
		}
		acc, _ := binaryAccuracy(a, evalEx)
		name := "model " + strings.Join(v, "+")
		if binary {
			name += " binary"
		}
		fmt.Fprintf(w, "%-44s %.4f  (C=%g, cv F1 %.4f)\n", name, acc, s.Training.C, s.Training.CVF1)
	}
	return nil
}
