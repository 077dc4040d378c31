// Package lang guesses the language of a short text from its function words
// (articles, pronouns, auxiliaries, prepositions) and a few letters that only
// some languages use. It knows English, Spanish, French, German, Italian,
// Portuguese and Dutch.
package lang
