// Package nlp is Corridor's NLP stage: it redacts personal data from a
// feedback text, detects its language, and tags CX themes, sentiment and
// salient phrases.
//
// # Contract
//
// Analyze runs, in order:
//
//  1. Truncation to Config.MaxTextBytes at a rune boundary, moved back so it
//     never splits a piece of personal data. Invalid UTF-8 becomes U+FFFD.
//  2. Redaction of email addresses, phone numbers, payment card numbers
//     (a card network's prefix and length, Luhn-checked), IBANs
//     (mod-97-checked), IPv4/IPv6 addresses and national ids (US Social
//     Security numbers in their 3-2-4 groups, UK National Insurance
//     numbers) into [EMAIL], [PHONE], [CARD], [IBAN], [IP] and
//     [NATIONAL_ID]. Analysis.Text is the redacted text; Analysis.PII
//     counts findings by kind (email, phone, card, iban, ip, national_id),
//     lists only kinds found and is never nil. Order, ticket and tracking
//     numbers, ISBNs, IMEIs, dates, times, amounts and version numbers are
//     left alone.
//  3. Tokenization with prose (github.com/jdkato/prose/v2) using one shared
//     model, with segmentation, tagging and entity extraction disabled. The
//     tokens of each distinct whitespace-delimited word are cached per
//     Analyzer state (prose tokenizes words independently, so this changes no
//     token), together with their lower-case form, Snowball stem, lexicon
//     entries and taxonomy and model ids.
//  4. Language detection for Latin-script text from function words, common
//     feedback words ("Lieferung", "livraison") and letters few languages
//     use (en, es, fr, de, it, pt, nl, sv, da, no, fi, pl, cs, sk, ro, tr,
//     id, hu, vi), and from the script for text mostly in another one (ja,
//     zh, ko, ru, uk, be, sr, mk, el, ar, fa, ur, he, th, bn, ta, te, kn, ml,
//     gu, pa, ka, hy; a Cyrillic text with no letter that names its
//     language is ru, bg or uk by words only that language uses, and a
//     Devanagari one hi, mr or ne). Language is "" when the evidence is too thin or
//     ambiguous (Danish and Norwegian share most of their words). A text
//     with little English function-word evidence whose content words are
//     mostly not in an English word list (SCOWL's, embedded; names inside
//     a sentence are not counted) is not taken for English.
//  5. For English, for unknown-language texts with English words in them
//     and no stronger evidence for another language, and for emoji alone
//     ("👍👍", each emoji of a run counted): themes from the taxonomy,
//     matched on stemmed tokens (or exact forms, "=word"; "<n>" for any
//     number), each with its matches (byte offsets into Analysis.Text), a
//     confidence in 0..1 and a sentiment from the sentiment words
//     attributed to its mentions; overall sentiment (VADER lexicon and
//     rules on our tokens, plus CX terms, with negation, boosters and "but"
//     contrast; praise that only frames a request, a wish or a question
//     counts nothing: "Better packaging", "would be great to export to
//     CSV", "Is the room pet friendly?"); and up to five phrases that match
//     no theme. Themes are
//     sorted by first match.
//     For other languages Themes is empty, Sentiment nil and Phrases built
//     from that language's function words: no English guess is made.
//     "English words" include the model's vocabulary when there is a model.
//  6. With a model (Config.Model, trained by `corridor train`; see package
//     nlp/model): the model's themes for the same English texts. Its
//     features are the words' stems, adjacent stem pairs, character 4-grams
//     and the themes of its own lexicon (term lists stored in the model
//     file, by default the taxonomy it was trained with), all from the
//     tokens above, so training and analysis see the same features. A label
//     above its threshold becomes a theme whose id is the label (a SemEval
//     model reports "food" or "FOOD#QUALITY"), Group "model", confidence
//     from the model's calibration, and matches: the spans of its strongest
//     contributing features (up to three), or an empty list when no feature
//     contributes (such themes come after the others and take the overall
//     sentiment). ModelMode combine (the default) reports rule and model
//     themes together, a label equal to a theme id merging into that theme;
//     replace reports model themes only. A model with a sentiment part
//     replaces the overall sentiment by its decision, with the lexicon's
//     score among its features; per-theme sentiment stays lexicon-based.
//
// An empty or blank text yields its own Text, empty Themes, nil Sentiment and
// an empty PII map. Redact runs step 2 only, without truncation, for texts
// such as individual survey answers.
//
// The default taxonomy is embedded (taxonomy/default.yaml, DefaultTaxonomy).
// Config.Taxonomy names a YAML file that replaces it, or with
// `extends: default` adds to it and overrides themes of the same id. Theme
// ids are snake_case and unique, so Themes can serve as a closed metric label
// set; with a model, Themes also lists the model's labels (a closed set too,
// from the model file).
//
// Reload re-reads the taxonomy and model files and swaps them in atomically;
// Watch polls the files and reloads on change. Train and TrainSentiment
// learn models with this Analyzer's features.
//
// # Errors
//
// New returns errors prefixed "nlp: ": an invalid Config, an unreadable or
// invalid taxonomy, or a model file that does not read (model.ErrFormat) or
// was made for another normalizer or feature set. Taxonomy validation reports
// every problem at once (errors.Join), each naming the theme (by id, or by
// position when the id is missing) and the field. Reload returns the same
// errors prefixed "nlp: reload: " and keeps the current state. Analyze and
// Redact never fail and never panic on input.
//
// # Concurrency
//
// An Analyzer is safe for concurrent use by any number of goroutines,
// including Reload and Watch. Everything a reload can change (taxonomy,
// model, and the word cache that holds their ids) lives in one immutable
// state behind an atomic pointer; Analyze loads it once per call, so every
// analysis comes from one consistent taxonomy and model. After a reload the
// word cache starts empty. The prose model is loaded once per process and
// shared; each state has its own bounded word cache (sharded, read-mostly)
// and the Analyzer pools scratch memory.
package nlp
