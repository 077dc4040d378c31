package lang

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func detect(s string) int {
	var c Counter
	for _, w := range strings.Fields(strings.ToLower(s)) {
		c.Add(StopMask(w), HintMask(w))
	}
	best, _ := c.Result()
	return best
}

func TestDetect(t *testing.T) {
	assert.Equal(t, EN, detect("the parcel was late and it is not the first time"))
	assert.Equal(t, ES, detect("el paquete llegó tarde y no es la primera vez"))
	assert.Equal(t, FR, detect("le colis est arrivé en retard et ce n'est pas la première fois"))
	assert.Equal(t, DE, detect("das Paket kam zu spät und es ist nicht das erste Mal"))
	assert.Equal(t, -1, detect("great"))
	assert.Equal(t, -1, detect(""))
}

func TestMasks(t *testing.T) {
	assert.True(t, StopMask("the").Has(EN))
	assert.True(t, StopMask("de").Has(ES) && StopMask("de").Has(FR) && StopMask("de").Has(NL))
	assert.True(t, HintMask("niño").Has(ES))
	assert.True(t, HintMask("straße").Has(DE))
	assert.Zero(t, HintMask("plain"))
	assert.True(t, IsStop("und", DE))
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
		{"Спасибо", "", true}, // Cyrillic without a telling letter
		{"Доставка була швидкою, дякую за підтримку", "uk", true},
		{"Доставка була швидкою, дякую", "", true}, // Ukrainian, but no letter says so
		{"Дастаўка была хуткай", "be", true},
		{"Достава је била брза, хвала, ћао", "sr", true},
		{"Испораката беше брза, ѓаволски добро", "mk", true},
		{"Η παράδοση ήταν γρήγορη", "el", true},
		{"التوصيل كان سريعا جدا", "ar", true},
		{"ارسال خیلی دیر رسید و پشتیبانی جواب نداد", "fa", true},
		{"ڈیلیوری بہت دیر سے آئی", "ur", true},
		{"המשלוח הגיע מהר", "he", true},
		{"จัดส่งเร็วมาก", "th", true},
		{"डिलीवरी बहुत देर से आई", "", true}, // Hindi, Marathi, Nepali
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
