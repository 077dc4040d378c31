// Package lang guesses the language of a short text from its function words
// (articles, pronouns, auxiliaries, prepositions) and a few letters that only
// some languages use. It knows English, Spanish, French, German, Italian,
// Portuguese and Dutch that way; for text mostly in another script than
// Latin, Script names the language when the script or its letters tell
// (Japanese, Chinese, Korean, Russian, Arabic, Greek, ...).
package lang
