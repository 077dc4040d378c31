package lang

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Writing systems told apart by Script.
const (
	scriptLatin = iota
	scriptCyrillic
	scriptGreek
	scriptArabic
	scriptHebrew
	scriptHan
	scriptKana
	scriptHangul
	scriptThai
	scriptDevanagari
	scriptBengali
	scriptTamil
	scriptTelugu
	scriptKannada
	scriptMalayalam
	scriptGujarati
	scriptGurmukhi
	scriptGeorgian
	scriptArmenian
	numScripts
)

// scriptCodes name the language of a script written by (nearly) one
// language; "" where several share it and letters must tell.
var scriptCodes = [numScripts]string{
	scriptGreek: "el", scriptHebrew: "he", scriptHangul: "ko", scriptThai: "th",
	scriptBengali: "bn", scriptTamil: "ta", scriptTelugu: "te", scriptKannada: "kn",
	scriptMalayalam: "ml", scriptGujarati: "gu", scriptGurmukhi: "pa", scriptGeorgian: "ka",
	scriptArmenian: "hy",
}

// Script looks at the letters of text and reports whether most of them are
// of one script other than Latin (the Latin-script languages are Counter's
// job), with the ISO 639-1 code of its language when the script and its
// letters name one: kana for Japanese, Han alone for Chinese, Hangul for
// Korean; the letters only Ukrainian, Belarusian, Serbian, Macedonian or
// Russian use among the Cyrillic alphabets; Persian and Urdu letters, else
// Arabic. Where a script's letters name no language (Cyrillic without
// such letters, Devanagari), words only one language uses do
// (cueLanguage); failing that, or with the letters of a Cyrillic alphabet
// outside these (Kazakh, Tatar, …), the code is "".
func Script(text string) (code string, nonLatin bool) {
	var n [numScripts]int
	var cyr, arab uint8 // telling letters seen, by bit
	const (
		cyrBE    = 1 << iota // ў
		cyrUK                // ї є ґ
		cyrI                 // і: Ukrainian or Belarusian
		cyrRU                // ы э ё: Russian or Belarusian
		cyrSR                // ђ ћ
		cyrMK                // ѓ ќ ѕ
		cyrSM                // ј љ њ џ: Serbian or Macedonian
		cyrOther             // ә қ ң ө ү ҳ …: Kazakh, Kyrgyz, Tatar, Tajik, Mongolian, …
	)
	const (
		arabFA = 1 << iota
		arabUR
	)
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
				n[scriptLatin]++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r >= 0xC0 && r <= 0x24F, r >= 0x1E00 && r <= 0x1EFF:
			if r != 0xD7 && r != 0xF7 { // × ÷
				n[scriptLatin]++
			}
		case r >= 0x400 && r <= 0x52F:
			n[scriptCyrillic]++
			switch r {
			case 'ў', 'Ў':
				cyr |= cyrBE
			case 'ї', 'є', 'ґ', 'Ї', 'Є', 'Ґ':
				cyr |= cyrUK
			case 'і', 'І':
				cyr |= cyrI
			case 'ы', 'э', 'ё', 'Ы', 'Э', 'Ё':
				cyr |= cyrRU
			case 'ђ', 'ћ', 'Ђ', 'Ћ':
				cyr |= cyrSR
			case 'ѓ', 'ќ', 'ѕ', 'Ѓ', 'Ќ', 'Ѕ':
				cyr |= cyrMK
			case 'ј', 'љ', 'њ', 'џ', 'Ј', 'Љ', 'Њ', 'Џ':
				cyr |= cyrSM
			default: // ґ, Ukrainian, is matched above
				if r >= 0x460 {
					cyr |= cyrOther
				}
			}
		case r >= 0x370 && r <= 0x3FF, r >= 0x1F00 && r <= 0x1FFF:
			n[scriptGreek]++
		case r >= 0x600 && r <= 0x6FF, r >= 0x750 && r <= 0x77F, r >= 0xFB50 && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFF:
			if r >= 0x660 && r <= 0x669 || r >= 0x6F0 && r <= 0x6F9 || r == 0x60C || r == 0x61B || r == 0x61F {
				continue // digits and punctuation
			}
			n[scriptArabic]++
			switch r {
			case 'ٹ', 'ڈ', 'ڑ', 'ں', 'ے', 'ھ':
				arab |= arabUR
			case 'پ', 'چ', 'ژ', 'گ':
				arab |= arabFA
			}
		case r >= 0x5D0 && r <= 0x5F2:
			n[scriptHebrew]++
		case r >= 0x3040 && r <= 0x30FF, r >= 0x31F0 && r <= 0x31FF, r >= 0xFF66 && r <= 0xFF9D:
			n[scriptKana]++
		case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF, r >= 0xF900 && r <= 0xFAFF:
			n[scriptHan]++
		case r >= 0xAC00 && r <= 0xD7AF, r >= 0x1100 && r <= 0x11FF, r >= 0x3130 && r <= 0x318F:
			n[scriptHangul]++
		case r >= 0xE01 && r <= 0xE4E:
			n[scriptThai]++
		case r >= 0x900 && r <= 0x97F:
			n[scriptDevanagari]++
		case r >= 0x980 && r <= 0x9FF:
			n[scriptBengali]++
		case r >= 0xB80 && r <= 0xBFF:
			n[scriptTamil]++
		case r >= 0xC00 && r <= 0xC7F:
			n[scriptTelugu]++
		case r >= 0xC80 && r <= 0xCFF:
			n[scriptKannada]++
		case r >= 0xD00 && r <= 0xD7F:
			n[scriptMalayalam]++
		case r >= 0xA80 && r <= 0xAFF:
			n[scriptGujarati]++
		case r >= 0xA00 && r <= 0xA7F:
			n[scriptGurmukhi]++
		case r >= 0x10A0 && r <= 0x10FF, r >= 0x1C90 && r <= 0x1CBF:
			n[scriptGeorgian]++
		case r >= 0x531 && r <= 0x58F:
			n[scriptArmenian]++
		}
	}
	// Japanese mixes kana with Han: count them as one script.
	n[scriptHan] += n[scriptKana]
	best := -1
	for sc := scriptCyrillic; sc < numScripts; sc++ {
		if sc != scriptKana && (best < 0 || n[sc] > n[best]) {
			best = sc
		}
	}
	if n[best] == 0 || n[scriptLatin] >= n[best] {
		return "", false
	}
	switch best {
	case scriptHan:
		if n[scriptKana] > 0 {
			return "ja", true
		}
		return "zh", true
	case scriptCyrillic:
		switch {
		case cyr&cyrOther != 0:
			return "", true
		case cyr&cyrBE != 0:
			return "be", true
		case cyr&cyrUK != 0 || (cyr&cyrI != 0 && cyr&cyrRU == 0):
			return "uk", true
		case cyr&cyrSR != 0 && cyr&cyrMK == 0:
			return "sr", true
		case cyr&cyrMK != 0 && cyr&cyrSR == 0:
			return "mk", true
		case cyr&cyrRU != 0:
			return "ru", true
		case cyr&cyrSM != 0:
			return "", true // Serbian or Macedonian
		}
		return cueLanguage(text, cyrillicCues), true
	case scriptDevanagari:
		return cueLanguage(text, devanagariCues), true
	case scriptArabic:
		switch {
		case arab&arabUR != 0:
			return "ur", true
		case arab&arabFA != 0:
			return "fa", true
		}
		return "ar", true
	}
	return scriptCodes[best], true
}

// cyrillicCues and devanagariCues are common words that only one of the
// languages sharing a script uses, for a text whose letters name none:
// Russian without ы, э or ё, Bulgarian, Ukrainian without і, ї or є; Hindi,
// Marathi and Nepali. Words another of them also uses, Serbian and
// Macedonian included ("как", "много", "добре", "ще", "тому", "нема",
// "сега", "की", "होता"), are left out.
var (
	cyrillicCues = cueWords(map[string]string{
		"ru": "что это очень мне меня было была были только нет когда если его спасибо хорошо плохо " +
			"можно нельзя будет чтобы почему сейчас теперь ничего заказ деньги который которые тоже",
		"bg": "това който която които няма съм още защото трябва бях във със тя нещо благодаря какво " +
			"къде защо днес обслужване поръчка тук",
		"uk": "дуже дякую це але була було був коли якщо або вже немає погано замовлення",
	})
	devanagariCues = cueWords(map[string]string{
		"hi": "है हैं और में नहीं था थी थे बहुत भी लेकिन मैं यह वह हम आप के",
		"mr": "आहे आहेत आणि नाही खूप पण मला मी आम्ही तुम्ही चांगले झाले केले",
		"ne": "छ छन् छैन र मा धेरै भयो गर्न हुन्छ पनि म हामी तपाईं राम्रो थियो भएको गरेको",
	})
)

// cueWords maps each word of byLang to its language code.
func cueWords(byLang map[string]string) map[string]string {
	m := map[string]string{}
	for code, words := range byLang {
		for _, w := range strings.Fields(words) {
			m[w] = code
		}
	}
	return m
}

// cueLanguage names the language whose cue words text uses, or "" when it
// uses none or those of two languages. It allocates only to lower-case a
// word written with a capital.
func cueLanguage(text string, words map[string]string) string {
	found := ""
	conflict := false
	look := func(w string, upper bool) {
		if upper {
			w = strings.ToLower(w)
		}
		switch code, ok := words[w]; {
		case !ok:
		case found == "":
			found = code
		case found != code:
			conflict = true
		}
	}
	start, upper := -1, false
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsMark(r) {
			if start < 0 {
				start, upper = i, false
			}
			upper = upper || unicode.IsUpper(r)
			continue
		}
		if start >= 0 {
			look(text[start:i], upper)
			start = -1
		}
	}
	if start >= 0 {
		look(text[start:], upper)
	}
	if conflict {
		return ""
	}
	return found
}
