// Package lang guesses the language of a short text from its function words
// (articles, pronouns, auxiliaries, prepositions), common words of customer
// feedback that are not English ("Lieferung", "livraison", "polecam") and
// letters that only some languages use (ł, ř, ß, ñ, å, ğ, ő, ...). It knows
// 19 Latin-script languages that way (English, Spanish, French, German,
// Italian, Portuguese, Dutch, Swedish, Danish, Norwegian, Finnish, Polish,
// Czech, Slovak, Romanian, Turkish, Indonesian, Hungarian, Vietnamese); for
// text mostly in another script, Script names the language when the script
// or its letters tell (Japanese, Chinese, Korean, Russian, Arabic, Greek,
// ...).
package lang
