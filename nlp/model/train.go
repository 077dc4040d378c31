package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Doc is one training example: its feature strings (duplicates are
// ignored: features are binary) and its labels.
type Doc struct {
	Features []string
	Labels   []string
}

// TrainOptions configures Train.
type TrainOptions struct {
	// Seed fixes the fold assignment and the coordinate order. Default 1
	// when zero (so that the zero value is deterministic too).
	Seed int64
	// Folds for cross-validation. Default 5.
	Folds int
	// C lists the regularization strengths tried by cross-validation
	// (higher = weaker regularization). Default 0.1, 0.25, 0.5, 1.
	C []float64
	// MinCount drops features found in fewer training docs. Default 2.
	MinCount int
	// Normalizer, Templates and Lexicon are recorded in the model as given.
	Normalizer string
	Templates  []string
	Lexicon    []LexiconTheme
	// Binary makes every feature worth 1; by default each is worth its
	// inverse document frequency in the training docs, 1 + ln((docs+1)/(df+1)),
	// before a doc's L2 normalization.
	Binary bool
	// Labels, when set, fixes the label set and its order; docs' labels
	// outside it are ignored. Default: every label seen, sorted.
	Labels []string
}

func (o *TrainOptions) defaults() {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	if len(o.C) == 0 {
		o.C = []float64{0.1, 0.25, 0.5, 1}
	}
	if o.MinCount == 0 {
		o.MinCount = 2
	}
}

// dataset is the docs as sparse binary vectors over the kept features.
type dataset struct {
	x      [][]int32 // sorted feature indexes of each doc
	scale  []float64 // value of each feature when present (before normalization)
	norm   []float64 // 1/L2 norm of each doc
	y      [][]bool  // y[l][i]: doc i has label l
	nfeat  int
	labels []string
}

// Train learns a model from docs: it picks C by k-fold cross-validation
// (micro-F1 over labels), tunes each label's threshold and confidence
// mapping on the cross-validated decision values, and trains the final
// weights on all docs.
func Train(docs []Doc, opts TrainOptions) (*Model, error) {
	opts.defaults()
	if len(docs) < opts.Folds || opts.Folds < 2 {
		return nil, fmt.Errorf("model: train: %d docs for %d folds", len(docs), opts.Folds)
	}
	for _, c := range opts.C {
		if !(c > 0) || math.IsInf(c, 0) {
			return nil, fmt.Errorf("model: train: C %v, want > 0", c)
		}
	}
	ds, features, err := vectorize(docs, opts)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x636f727269646f72))
	fold := make([]int, len(docs))
	for i, p := range rng.Perm(len(docs)) {
		fold[p] = i % opts.Folds
	}
	allLabeled := true
	for i := range ds.x {
		has := false
		for l := range ds.labels {
			has = has || ds.y[l][i]
		}
		allLabeled = allLabeled && has
	}

	// Cross-validate each C; keep the decision values of the best.
	var best *cvResult
	for _, c := range opts.C {
		oof := crossValidate(ds, fold, opts.Folds, c, opts.Seed)
		r := tune(ds, oof, allLabeled)
		r.c = c
		if best == nil || r.f1 > best.f1+1e-9 {
			best = r
		}
	}

	m := &Model{
		FormatVersion: FormatVersion,
		Normalizer:    opts.Normalizer,
		Templates:     slices.Clone(opts.Templates),
		Lexicon:       slices.Clone(opts.Lexicon),
		Features:      features,
		Training: TrainInfo{
			Seed: opts.Seed, Folds: opts.Folds, C: best.c, Docs: len(docs), MinCount: opts.MinCount,
			CVPrecision: round4(best.p), CVRecall: round4(best.r), CVF1: round4(best.f1),
		},
	}
	if best.minLabels {
		m.MinLabels = 1
	}
	if !opts.Binary {
		m.Scales = make([]float32, len(features))
		for i, v := range ds.scale {
			m.Scales[i] = float32(v)
		}
	}
	m.Weights = make([][]float32, len(features))
	for f := range m.Weights {
		m.Weights[f] = make([]float32, len(ds.labels))
	}
	all := make([]int, len(docs))
	for i := range all {
		all[i] = i
	}
	for l, id := range ds.labels {
		w, b := trainSVM(ds, l, all, best.c, opts.Seed+int64(l))
		for f, v := range w {
			m.Weights[f][l] = float32(v)
		}
		a, pb := platt(best.oof[l], ds.y[l])
		n := 0
		for _, y := range ds.y[l] {
			if y {
				n++
			}
		}
		m.Labels = append(m.Labels, Label{
			ID: id, Threshold: round6(best.thresholds[l]), PlattA: round6(a), PlattB: round6(pb),
			Bias: float64(float32(b)), Examples: n, CVF1: round4(best.labelF1[l]),
		})
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("model: train: %w", err)
	}
	return m, nil
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func vectorize(docs []Doc, opts TrainOptions) (*dataset, []string, error) {
	labels := slices.Clone(opts.Labels)
	if len(labels) == 0 {
		set := map[string]bool{}
		for _, d := range docs {
			for _, l := range d.Labels {
				set[l] = true
			}
		}
		for l := range set {
			labels = append(labels, l)
		}
		slices.Sort(labels)
	}
	if len(labels) == 0 {
		return nil, nil, errors.New("model: train: no labels in the training data")
	}
	labelIdx := map[string]int{}
	for i, l := range labels {
		if l == "" {
			return nil, nil, errors.New("model: train: empty label")
		}
		if _, dup := labelIdx[l]; dup {
			return nil, nil, fmt.Errorf("model: train: duplicate label %q", l)
		}
		labelIdx[l] = i
	}
	df := map[string]int{}
	for _, d := range docs {
		for _, f := range uniq(d.Features) {
			df[f]++
		}
	}
	var features []string
	for f, n := range df {
		if n >= opts.MinCount {
			features = append(features, f)
		}
	}
	slices.Sort(features)
	fidx := make(map[string]int32, len(features))
	for i, f := range features {
		fidx[f] = int32(i)
	}
	ds := &dataset{nfeat: len(features), labels: labels, x: make([][]int32, len(docs)), y: make([][]bool, len(labels))}
	ds.scale = make([]float64, len(features))
	for i, f := range features {
		ds.scale[i] = 1
		if !opts.Binary {
			ds.scale[i] = float64(float32(1 + math.Log(float64(len(docs)+1)/float64(df[f]+1))))
		}

	}
	ds.norm = make([]float64, len(docs))
	for l := range ds.y {
		ds.y[l] = make([]bool, len(docs))
	}
	for i, d := range docs {
		var x []int32
		for _, f := range d.Features {
			if k, ok := fidx[f]; ok {
				x = append(x, k)
			}
		}
		slices.Sort(x)
		ds.x[i] = slices.Compact(x)
		ss := 0.0
		for _, k := range ds.x[i] {
			ss += ds.scale[k] * ds.scale[k]
		}
		if ss > 0 {
			ds.norm[i] = 1 / math.Sqrt(ss)
		}
		for _, l := range d.Labels {
			if k, ok := labelIdx[l]; ok {
				ds.y[k][i] = true
			}
		}
	}
	return ds, features, nil
}

func uniq(fs []string) []string {
	s := slices.Clone(fs)
	slices.Sort(s)
	return slices.Compact(s)
}

// trainSVM trains label l on docs idx by dual coordinate descent for the
// L2-regularized squared-hinge SVM (Hsieh et al. 2008, as in LIBLINEAR),
// with a regularized bias feature of value 1. It returns the weights and
// the bias.
func trainSVM(ds *dataset, l int, idx []int, c float64, seed int64) ([]float64, float64) {
	const (
		eps     = 0.01
		maxIter = 1000
	)
	w := make([]float64, ds.nfeat)
	var b float64
	n := len(idx)
	alpha := make([]float64, n)
	ys := make([]float64, n)
	for k, i := range idx {
		ys[k] = -1
		if ds.y[l][i] {
			ys[k] = 1
		}
	}
	diag := 1 / (2 * c)
	order := make([]int, n)
	for k := range order {
		order[k] = k
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x73766d))
	for iter := 0; iter < maxIter; iter++ {
		rng.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
		pgMax, pgMin := math.Inf(-1), math.Inf(1)
		for _, k := range order {
			x := ds.x[idx[k]]
			nv := ds.norm[idx[k]]
			dot := 0.0
			for _, f := range x {
				dot += w[f] * ds.scale[f]
			}
			dot = dot*nv + b
			qd := 2 + diag // |x|^2 = 1 (normalized) + 1 (bias)
			if len(x) == 0 {
				qd = 1 + diag
			}
			g := ys[k]*dot - 1 + alpha[k]*diag
			pg := g
			if alpha[k] == 0 && g > 0 {
				pg = 0
			}
			pgMax, pgMin = math.Max(pgMax, pg), math.Min(pgMin, pg)
			if math.Abs(pg) < 1e-12 {
				continue
			}
			old := alpha[k]
			alpha[k] = math.Max(old-g/qd, 0)
			d := (alpha[k] - old) * ys[k]
			for _, f := range x {
				w[f] += d * nv * ds.scale[f]
			}
			b += d
		}
		if pgMax-pgMin <= eps {
			break
		}
	}
	return w, b
}

// crossValidate returns out-of-fold decision values oof[l][i].
func crossValidate(ds *dataset, fold []int, k int, c float64, seed int64) [][]float64 {
	oof := make([][]float64, len(ds.labels))
	for l := range oof {
		oof[l] = make([]float64, len(ds.x))
	}
	for f := 0; f < k; f++ {
		var trainIdx, testIdx []int
		for i, fi := range fold {
			if fi == f {
				testIdx = append(testIdx, i)
			} else {
				trainIdx = append(trainIdx, i)
			}
		}
		for l := range ds.labels {
			w, b := trainSVM(ds, l, trainIdx, c, seed+int64(l)+int64(f)*7919)
			for _, i := range testIdx {
				s := 0.0
				for _, ft := range ds.x[i] {
					s += w[ft] * ds.scale[ft]
				}
				oof[l][i] = s*ds.norm[i] + b
			}
		}
	}
	return oof
}

type cvResult struct {
	c          float64
	oof        [][]float64
	thresholds []float64
	minLabels  bool
	p, r, f1   float64
	labelF1    []float64
}

// tune picks per-label thresholds maximizing micro-F1 on the out-of-fold
// decision values (coordinate ascent over labels), then whether predicting
// the best label for docs with none (MinLabels) helps.
func tune(ds *dataset, oof [][]float64, allLabeled bool) *cvResult {
	nl := len(ds.labels)
	th := make([]float64, nl)
	tp, fp, fn := make([]int, nl), make([]int, nl), make([]int, nl)
	count := func(l int, t float64) (int, int, int) {
		var a, b, c int
		for i, s := range oof[l] {
			switch pos := s > t; {
			case pos && ds.y[l][i]:
				a++
			case pos:
				b++
			case ds.y[l][i]:
				c++
			}
		}
		return a, b, c
	}
	for l := range th {
		tp[l], fp[l], fn[l] = count(l, 0)
	}
	sum := func(v []int) int {
		s := 0
		for _, x := range v {
			s += x
		}
		return s
	}
	for round := 0; round < 3; round++ {
		for l := 0; l < nl; l++ {
			oTP, oFP, oFN := sum(tp)-tp[l], sum(fp)-fp[l], sum(fn)-fn[l]
			// Candidate thresholds: midpoints between sorted scores.
			type sv struct {
				s float64
				y bool
			}
			v := make([]sv, len(oof[l]))
			pos := 0
			for i, s := range oof[l] {
				v[i] = sv{s, ds.y[l][i]}
				if ds.y[l][i] {
					pos++
				}
			}
			sort.SliceStable(v, func(a, b int) bool { return v[a].s < v[b].s })
			// Threshold below everything: all predicted.
			bestT, bestF := th[l], f1(oTP+tp[l], oFP+fp[l], oFN+fn[l])
			cTP, cFP := pos, len(v)-pos
			for i := 0; i < len(v); i++ {
				if v[i].y {
					cTP--
				} else {
					cFP--
				}
				if i+1 < len(v) && v[i+1].s == v[i].s {
					continue
				}
				t := v[i].s + 1e-3
				if i+1 < len(v) {
					t = (v[i].s + v[i+1].s) / 2
				}
				if f := f1(oTP+cTP, oFP+cFP, oFN+pos-cTP); f > bestF+1e-12 {
					bestT, bestF = t, f
				}
			}
			th[l] = bestT
			tp[l], fp[l], fn[l] = count(l, bestT)
		}
	}
	r := &cvResult{oof: oof, thresholds: th}
	score := func(minLabels bool) (float64, float64, float64, []float64) {
		var a, b, c int
		lt, lf, ln := make([]int, nl), make([]int, nl), make([]int, nl)
		for i := range ds.x {
			any, best, bm := false, -1, math.Inf(-1)
			for l := 0; l < nl; l++ {
				m := oof[l][i] - th[l]
				if m > 0 {
					any = true
				}
				if m > bm {
					best, bm = l, m
				}
			}
			for l := 0; l < nl; l++ {
				pred := oof[l][i] > th[l] || (minLabels && !any && l == best)
				switch {
				case pred && ds.y[l][i]:
					a++
					lt[l]++
				case pred:
					b++
					lf[l]++
				case ds.y[l][i]:
					c++
					ln[l]++
				}
			}
		}
		per := make([]float64, nl)
		for l := range per {
			per[l] = f1(lt[l], lf[l], ln[l])
		}
		p, rc, f := prf(a, b, c)
		return p, rc, f, per
	}
	r.p, r.r, r.f1, r.labelF1 = score(false)
	if allLabeled {
		if p, rc, f, per := score(true); f > r.f1 {
			r.p, r.r, r.f1, r.labelF1, r.minLabels = p, rc, f, per, true
		}
	}
	return r
}

func f1(tp, fp, fn int) float64 {
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}

func prf(tp, fp, fn int) (float64, float64, float64) {
	var p, r float64
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		r = float64(tp) / float64(tp+fn)
	}
	return p, r, f1(tp, fp, fn)
}

// platt fits P(y=1|s) = 1/(1+exp(A*s+B)) by Newton's method with
// backtracking (Lin, Lin and Weng 2007), with Platt's smoothed targets.
func platt(s []float64, y []bool) (float64, float64) {
	var np, nn float64
	for _, v := range y {
		if v {
			np++
		} else {
			nn++
		}
	}
	hi, lo := (np+1)/(np+2), 1/(nn+2)
	t := make([]float64, len(s))
	for i, v := range y {
		if v {
			t[i] = hi
		} else {
			t[i] = lo
		}
	}
	a, b := 0.0, math.Log((nn+1)/(np+1))
	obj := func(a, b float64) float64 {
		f := 0.0
		for i, si := range s {
			fa := si*a + b
			if fa >= 0 {
				f += t[i]*fa + math.Log1p(math.Exp(-fa))
			} else {
				f += (t[i]-1)*fa + math.Log1p(math.Exp(fa))
			}
		}
		return f
	}
	fval := obj(a, b)
	const sigma = 1e-12
	for it := 0; it < 100; it++ {
		var h11, h22, h21, g1, g2 float64 = sigma, sigma, 0, 0, 0
		for i, si := range s {
			fa := si*a + b
			var p, q float64
			if fa >= 0 {
				e := math.Exp(-fa)
				p, q = e/(1+e), 1/(1+e)
			} else {
				e := math.Exp(fa)
				p, q = 1/(1+e), e/(1+e)
			}
			d2 := p * q
			h11 += si * si * d2
			h22 += d2
			h21 += si * d2
			d1 := t[i] - p
			g1 += si * d1
			g2 += d1
		}
		if math.Abs(g1) < 1e-5 && math.Abs(g2) < 1e-5 {
			break
		}
		det := h11*h22 - h21*h21
		da := -(h22*g1 - h21*g2) / det
		db := -(-h21*g1 + h11*g2) / det
		gd := g1*da + g2*db
		step := 1.0
		for step >= 1e-10 {
			na, nb := a+step*da, b+step*db
			if nf := obj(na, nb); nf < fval+1e-4*step*gd {
				a, b, fval = na, nb, nf
				break
			}
			step /= 2
		}
		if step < 1e-10 {
			break
		}
	}
	return a, b
}
