package model

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// FormatVersion is the version of the model file format this package reads
// and writes.
const FormatVersion = 1

// ErrFormat marks a file that is not a model of format FormatVersion or is
// inconsistent.
var ErrFormat = errors.New("not a valid model file")

// Label is one class of a model.
type Label struct {
	// ID is the label as given in the training data (a theme id, a SemEval
	// category such as "food" or "FOOD#QUALITY").
	ID string `json:"id"`
	// Threshold is the decision value above which the label is predicted,
	// tuned by cross-validation on the training data.
	Threshold float64 `json:"threshold"`
	// PlattA and PlattB map a decision value s to a confidence
	// 1/(1+exp(PlattA*s+PlattB)), fitted on cross-validated decision values.
	PlattA float64 `json:"platt_a"`
	PlattB float64 `json:"platt_b"`
	// Bias is the intercept of the label's linear function.
	Bias float64 `json:"bias"`
	// Examples is how many training docs carried the label.
	Examples int `json:"examples"`
	// CVF1 is the label's F1 in cross-validation on the training data.
	CVF1 float64 `json:"cv_f1"`
}

// LexiconTheme is one theme of the lexicon a model's "theme" features come
// from (package nlp's taxonomy format: terms and exclusions).
type LexiconTheme struct {
	ID      string   `json:"id"`
	Terms   []string `json:"terms"`
	Exclude []string `json:"exclude,omitempty"`
}

// TrainInfo records how a model was trained.
type TrainInfo struct {
	Seed     int64   `json:"seed"`
	Folds    int     `json:"folds"`
	C        float64 `json:"c"` // chosen regularization (higher = less)
	Docs     int     `json:"docs"`
	MinCount int     `json:"min_count"`
	// CV are the micro-averaged cross-validation figures on the training
	// data at the chosen C and thresholds.
	CVPrecision float64 `json:"cv_precision"`
	CVRecall    float64 `json:"cv_recall"`
	CVF1        float64 `json:"cv_f1"`
}

// Model is a trained multi-label linear classifier.
type Model struct {
	FormatVersion int `json:"format_version"`
	// Normalizer names the text normalization the feature strings assume
	// (set by the caller of Train; package nlp checks it on load).
	Normalizer string `json:"normalizer"`
	// Templates lists the feature templates used (set by the caller).
	Templates []string `json:"templates"`
	// Lexicon holds the term lists that "theme" features are matched with,
	// so that the model does not depend on the taxonomy in use when it is
	// applied (set by the caller).
	Lexicon []LexiconTheme `json:"lexicon,omitempty"`
	// MinLabels is 1 when every training doc had a label: then the best
	// label is predicted even when no decision value clears its threshold.
	MinLabels int       `json:"min_labels"`
	Labels    []Label   `json:"labels"`
	Training  TrainInfo `json:"training"`
	// Features are the feature strings, sorted; Weights[i] holds feature
	// i's weight for each label, in label order.
	Features []string `json:"features"`
	// Scales, if present, are the value of each feature in a doc (its
	// inverse document frequency) before the doc's L2 normalization;
	// absent, every feature is worth 1.
	Scales  []float32   `json:"scales,omitempty"`
	Weights [][]float32 `json:"weights"`
	// Sentiment is an optional polarity model trained alongside (labels
	// "negative" and "positive"; neither means neutral). It has no
	// Sentiment of its own.
	Sentiment *Model `json:"sentiment,omitempty"`
}

// Validate checks the model's internal consistency.
func (m *Model) Validate() error {
	var errs []error
	if m.FormatVersion != FormatVersion {
		errs = append(errs, fmt.Errorf("format_version %d, want %d", m.FormatVersion, FormatVersion))
	}
	if len(m.Labels) == 0 {
		errs = append(errs, errors.New("labels: none"))
	}
	if m.MinLabels < 0 || m.MinLabels > 1 {
		errs = append(errs, fmt.Errorf("min_labels %d, want 0 or 1", m.MinLabels))
	}
	seen := map[string]bool{}
	for i, l := range m.Labels {
		if l.ID == "" {
			errs = append(errs, fmt.Errorf("labels[%d]: empty id", i))
		}
		if seen[l.ID] {
			errs = append(errs, fmt.Errorf("labels[%d]: duplicate id %q", i, l.ID))
		}
		seen[l.ID] = true
		for _, v := range []float64{l.Threshold, l.PlattA, l.PlattB, l.Bias} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				errs = append(errs, fmt.Errorf("labels[%d] %q: non-finite number", i, l.ID))
				break
			}
		}
	}
	if len(m.Weights) != len(m.Features) {
		errs = append(errs, fmt.Errorf("weights: %d rows for %d features", len(m.Weights), len(m.Features)))
	}
	if m.Scales != nil && len(m.Scales) != len(m.Features) {
		errs = append(errs, fmt.Errorf("scales: %d for %d features", len(m.Scales), len(m.Features)))
	}
	for _, v := range m.Scales {
		if !(v > 0) || math.IsInf(float64(v), 0) {
			errs = append(errs, fmt.Errorf("scales: %v, want a positive number", v))
			break
		}
	}
	if !slices.IsSorted(m.Features) {
		errs = append(errs, errors.New("features: not sorted"))
	}
	for i := 1; i < len(m.Features); i++ {
		if m.Features[i] == m.Features[i-1] {
			errs = append(errs, fmt.Errorf("features: duplicate %q", m.Features[i]))
			break
		}
	}
	for i, row := range m.Weights {
		if len(row) != len(m.Labels) {
			errs = append(errs, fmt.Errorf("weights[%d]: %d values for %d labels", i, len(row), len(m.Labels)))
			break
		}
		bad := false
		for _, w := range row {
			bad = bad || math.IsNaN(float64(w)) || math.IsInf(float64(w), 0)
		}
		if bad {
			errs = append(errs, fmt.Errorf("weights[%d]: non-finite number", i))
			break
		}
	}
	if m.Sentiment != nil {
		if m.Sentiment.Sentiment != nil {
			errs = append(errs, errors.New("sentiment: nested sentiment model"))
		}
		if err := m.Sentiment.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("sentiment: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Write encodes m as JSON, one feature row a line so that diffs stay
// readable. The encoding is deterministic.
func (m *Model) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if err := m.write(bw, ""); err != nil {
		return fmt.Errorf("model: write: %w", err)
	}
	bw.WriteString("\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("model: write: %w", err)
	}
	return nil
}

func (m *Model) write(bw *bufio.Writer, indent string) error {
	head := *m
	head.Features, head.Weights, head.Scales, head.Sentiment = nil, nil, nil, nil
	hb, err := json.MarshalIndent(head, indent, "  ")
	if err != nil {
		return err
	}
	// Drop the closing brace; the feature rows follow.
	hb = bytes.TrimRight(bytes.TrimSuffix(bytes.TrimSpace(hb), []byte("}")), "\n ")
	bw.Write(hb)
	in := indent + "  "
	list := func(name string, n int, item func(i int) ([]byte, error)) error {
		fmt.Fprintf(bw, ",\n%s%q: [", in, name)
		for i := 0; i < n; i++ {
			b, err := item(i)
			if err != nil {
				return err
			}
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n" + in + "  ")
			bw.Write(b)
		}
		fmt.Fprintf(bw, "\n%s]", in)
		return nil
	}
	if err := list("features", len(m.Features), func(i int) ([]byte, error) { return json.Marshal(m.Features[i]) }); err != nil {
		return err
	}
	if m.Scales != nil {
		fmt.Fprintf(bw, ",\n%s\"scales\": ", in)
		b, err := json.Marshal(m.Scales)
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	if err := list("weights", len(m.Weights), func(i int) ([]byte, error) { return json.Marshal(m.Weights[i]) }); err != nil {
		return err
	}
	if m.Sentiment != nil {
		fmt.Fprintf(bw, ",\n%s\"sentiment\": ", in)
		if err := m.Sentiment.write(bw, in); err != nil {
			return err
		}
	}
	fmt.Fprintf(bw, "\n%s}", indent)
	return nil
}

// WriteFile writes m to path (via a temporary file and a rename, so a
// process watching path never reads half a model).
func (m *Model) WriteFile(path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("model: write: %w", err)
	}
	if err := m.Write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("model: write: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("model: write: %w", err)
	}
	return nil
}

// Read decodes and validates a model. Unknown fields are errors.
func Read(r io.Reader) (*Model, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("model: read: %w: %v", ErrFormat, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("model: read: %w: %v", ErrFormat, err)
	}
	return &m, nil
}

// ReadFile reads the model at path.
func ReadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	m, err := Read(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return m, nil
}

// Index returns a map from feature string to feature index.
func (m *Model) Index() map[string]int32 {
	idx := make(map[string]int32, len(m.Features))
	for i, f := range m.Features {
		idx[f] = int32(i)
	}
	return idx
}

// Scores sets out[l] to the decision value of label l for a doc whose
// distinct known features are feats (indexes into Features, no duplicates):
// each feature f is worth Scale(f), and the doc is L2-normalized. out must
// have len(Labels).
func (m *Model) Scores(feats []int32, out []float64) {
	out = out[:len(m.Labels)]
	clear(out)
	ss := 0.0
	for _, f := range feats {
		s := m.Scale(f)
		ss += s * s
		for l, w := range m.Weights[f] {
			out[l] += float64(w) * s
		}
	}
	norm := 0.0
	if ss > 0 {
		norm = 1 / math.Sqrt(ss)
	}
	for l := range out {
		out[l] = out[l]*norm + m.Labels[l].Bias
	}
}

// Scale is the value of feature f when present, before normalization.
func (m *Model) Scale(f int32) float64 {
	if m.Scales == nil {
		return 1
	}
	return float64(m.Scales[f])
}

// Decide appends to dst the labels predicted from decision values: those
// above their threshold, or, when MinLabels is 1 and none is, the one
// closest to its threshold.
func (m *Model) Decide(dst []int, scores []float64) []int {
	n := len(dst)
	best, bestMargin := -1, math.Inf(-1)
	for l, s := range scores {
		margin := s - m.Labels[l].Threshold
		if margin > 0 {
			dst = append(dst, l)
		}
		if margin > bestMargin {
			best, bestMargin = l, margin
		}
	}
	if len(dst) == n && m.MinLabels > 0 && best >= 0 {
		dst = append(dst, best)
	}
	return dst
}

// Confidence maps label l's decision value to 0..1.
func (m *Model) Confidence(l int, score float64) float64 {
	lb := &m.Labels[l]
	return sigmoid(-(lb.PlattA*score + lb.PlattB))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
