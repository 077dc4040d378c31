// Package sentiment scores English text with the VADER lexicon and rules
// (negation, boosters, "but" contrast, capitals, punctuation emphasis),
// applied to words the caller has already tokenized, plus customer-experience
// additions: domain words, n-grams such as "charged twice", and expected
// events ("never arrived", "didn't work") that are neutral unless negated.
package sentiment
