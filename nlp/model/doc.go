// Package model is Corridor's trainable theme classifier: a multi-label
// linear model (one L2-regularized, squared-hinge linear SVM per label,
// trained by dual coordinate descent) over sparse features (each worth its
// inverse document frequency, each doc L2-normalized), with a per-label
// decision threshold and a Platt-scaled confidence tuned by k-fold
// cross-validation on the training data only, and the regularization
// strength chosen the same way. A model may carry a sentiment model (labels
// negative and positive) trained alongside.
//
// The package knows nothing about text: a Doc is a list of feature strings
// (package nlp turns a text into features, at training time and when
// analyzing, with the same code) and the label ids it carries. Model records
// the normalizer and the feature templates its features were made with, so
// a model is never applied to features of another kind.
//
// # Contract
//
//   - Train is deterministic: the same docs, options and seed give a model
//     that encodes to the same bytes (Write). Ties and iteration orders are
//     fixed by sorting; the only randomness is a seeded permutation.
//   - Model files are JSON with a format_version (FormatVersion). Read
//     rejects other versions and inconsistent files (weights that do not
//     match the feature and label lists, non-finite numbers).
//   - A model is immutable once trained or read; Scores and Decide only read.
//
// Dataset readers (ReadSemEval2014, ReadSemEval2015, ReadJSONL) turn the
// labeled formats `corridor train` accepts into Examples.
//
// # Errors
//
// Errors are prefixed "model: " and name the operation ("read", "train",
// "semeval2014 line ..."). Read wraps ErrFormat for files that are not a
// model of a known format version.
//
// # Concurrency
//
// A *Model is safe for concurrent use by readers once built. Train uses one
// goroutine.
package model
