package lang

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func detect(s string) int {
	var c Counter
	for _, w := range strings.Fields(strings.ToLower(s)) {
		c.Add(StopMask(w), EvidenceMask(w), HintMask(w))
	}
	best, _ := c.Result()
	return best
}

func TestDetect(t *testing.T) {
	tests := []struct {
		want int
		text string
	}{
		{EN, "the parcel was late and it is not the first time"},
		{ES, "el paquete llegó tarde y no es la primera vez"},
		{FR, "le colis est arrivé en retard et ce n'est pas la première fois"},
		{DE, "das Paket kam zu spät und es ist nicht das erste Mal"},
		{IT, "il pacco è arrivato in ritardo e non è la prima volta"},
		{PT, "o pacote chegou atrasado e não é a primeira vez"},
		{NL, "het pakket kwam te laat en het is niet de eerste keer"},
		{SV, "paketet kom för sent och det är inte första gången"},
		{DA, "pakken kom for sent og det er ikke første gang, meget utilfreds"},
		{-1, "pakken kom for sent og det er ikke første gang"}, // Danish or Norwegian
		{NO, "pakken kom for sent og det er ikke første gang jeg opplever det, veldig dårlig"},
		{FI, "paketti tuli myöhässä ja se ei ole ensimmäinen kerta"},
		{PL, "paczka przyszła za późno i to nie jest pierwszy raz"},
		{CS, "balík přišel pozdě a není to poprvé"},
		{SK, "balík prišiel neskoro, veľmi zlá služba, už nikdy viac"},
		{RO, "coletul a venit cu întârziere și nu este prima dată"},
		{TR, "paket geç geldi ve bu ilk değil"},
		{ID, "paketnya datang terlambat dan ini bukan yang pertama kali"},
		{HU, "a csomag késve jött és nem ez az első alkalom"},
		{VI, "gói hàng đến muộn và đây không phải lần đầu"},
		// Cues alone: no function word, but feedback words of one language.
		{DE, "Service super, Lieferung schnell"},
		{FR, "Top produit, livraison rapide"},
		{-1, "great"},
		{-1, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, detect(tt.text), "%q", tt.text)
	}
}

func TestMasks(t *testing.T) {
	assert.True(t, StopMask("the").Has(EN))
	assert.True(t, StopMask("de").Has(ES) && StopMask("de").Has(FR) && StopMask("de").Has(NL))
	assert.True(t, HintMask("niño").Has(ES))
	assert.True(t, HintMask("straße").Has(DE))
	assert.True(t, HintMask("słaba").Has(PL))
	assert.True(t, HintMask("rất").Has(VI))
	assert.Zero(t, HintMask("plain"))
	assert.True(t, IsStop("und", DE))
	// A cue is evidence but not a function word: it may be part of a phrase.
	assert.True(t, EvidenceMask("lieferung").Has(DE))
	assert.Zero(t, StopMask("lieferung"))
	assert.True(t, EvidenceMask("und").Has(DE))
}

// Words of the other languages' lists that are also English function words
// would take English evidence away from short English texts. The first seven
// languages' function words share a few ("in", "is" and "was" in Dutch, "a"
// in Portuguese), kept because their texts have many other function words;
// the later languages and every cue share none.
func TestNoEnglishFunctionWordsElsewhere(t *testing.T) {
	for l := range numLangs {
		if l == EN {
			continue
		}
		ws := Cues(l)
		if l > NL {
			ws = append(ws, strings.Fields(stopwords[l])...)
		}
		for _, w := range ws {
			if IsStop(w, EN) {
				t.Errorf("%s: %q is an English function word", Codes[l], w)
			}
		}
	}
}

func TestScript(t *testing.T) {
	tests := []struct {
		text     string
		code     string
		nonLatin bool
	}{
		{"配送が遅かったです。", "ja", true},
		{"カスタマーサポート最高", "ja", true},
		{"送货太慢了，客服也不回复。", "zh", true},
		{"배송이 너무 늦었어요", "ko", true},
		{"Доставка была быстрой", "ru", true},
		// Cyrillic and Devanagari without a telling letter: words only one
		// of the languages uses name it, else "".
		{"Спасибо", "ru", true},
		{"Ужасное обслуживание, доставка опоздала на неделю", "", true},
		{"Курьер опоздал на два часа, это просто кошмар", "ru", true},
		{"Доставката закъсня, но това не е проблем", "bg", true},
		{"Много добре", "", true}, // Bulgarian, but Russian and Ukrainian say both words too
		{"Все добре", "", true},   // Ukrainian
		{"Ще чекаю на посилку", "", true},
		{"Два дня тому назад заказал", "", true},
		{"Че за фигня, доставка опоздала", "", true},
		{"Доставка", "", true},
		{"Дуже дякую за доставку", "uk", true},
		{"Спасибо, благодаря", "", true},                // Russian and Bulgarian cues
		{"Қызмет өте нашар, жеткізу кешікті", "", true}, // Kazakh: not Russian for its ы or і
		{"Достава је брза, хвала", "", true},            // Serbian or Macedonian
		{"डिलीवरी में बहुत देर हुई", "hi", true},
		{"डिलिव्हरी खूप उशिरा आली आणि सेवा वाईट होती", "mr", true},
		{"डेलिभरी धेरै ढिलो भयो", "ne", true},
		{"नमस्ते", "", true},
		{"Доставка була швидкою, дякую за підтримку", "uk", true},
		{"Доставка була швидкою, дякую", "uk", true}, // no Ukrainian letter, but its words
		{"Дастаўка была хуткай", "be", true},
		{"Достава је била брза, хвала, ћао", "sr", true},
		{"Испораката беше брза, ѓаволски добро", "mk", true},
		{"Η παράδοση ήταν γρήγορη", "el", true},
		{"التوصيل كان سريعا جدا", "ar", true},
		{"ارسال خیلی دیر رسید و پشتیبانی جواب نداد", "fa", true},
		{"ڈیلیوری بہت دیر سے آئی", "ur", true},
		{"המשלוח הגיע מהר", "he", true},
		{"จัดส่งเร็วมาก", "th", true},
		{"डिलीवरी बहुत देर से आई", "hi", true},
		{"ডেলিভারি খুব দেরিতে এসেছে", "bn", true},
		{"მიწოდება სწრაფი იყო", "ka", true},
		{"The delivery was late", "", false},
		{"Très bien, merci", "", false},
		{"The app is great, 很好", "", false}, // more Latin letters
		{"12345 !!! 👍", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		code, nonLatin := Script(tt.text)
		assert.Equal(t, tt.nonLatin, nonLatin, "%q", tt.text)
		assert.Equal(t, tt.code, code, "%q", tt.text)
	}
}

func TestIsEnglishWord(t *testing.T) {
	for _, w := range []string{"delivery", "the", "refund", "app", "login", "lol", "i've", "could’ve", "sooo", "loooove"} {
		assert.True(t, IsEnglishWord(w), w)
	}
	for _, w := range []string{"lieferung", "livraison", "gebyr", "skifter", "zendesk", "propmtly", "", "'s"} {
		assert.False(t, IsEnglishWord(w), w)
	}
}

// wordList.has needs the embedded list sorted byte-wise.
func TestEnglishWordsSorted(t *testing.T) {
	l := englishWords()
	assert.Greater(t, len(l.starts), 60000)
	assert.True(t, sort.SliceIsSorted(l.starts, func(i, j int) bool { return l.at(i) < l.at(j) }))
}
