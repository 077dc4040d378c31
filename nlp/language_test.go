package nlp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLanguage(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		want string
		text string
	}{
		{"en", "The delivery was late and the driver did not even ring the bell."},
		{"en", "I love this app, it is so easy to use."},
		{"es", "El pedido llegó tarde y el repartidor ni siquiera tocó el timbre."},
		{"es", "La atención al cliente fue muy amable, pero el producto no funciona."},
		{"fr", "La livraison était en retard et le livreur n'a même pas sonné."},
		{"fr", "Le service client est très lent, je suis déçu."},
		{"de", "Die Lieferung kam zu spät und der Fahrer hat nicht einmal geklingelt."},
		{"de", "Der Kundenservice war sehr freundlich, aber das Produkt ist kaputt."},
		{"it", "La consegna è arrivata in ritardo e il corriere non ha suonato."},
		{"pt", "A entrega chegou atrasada e o entregador não tocou a campainha."},
		{"nl", "De levering was te laat en de bezorger heeft niet eens aangebeld."},
		{"en", "The courier never arrived."},
		{"es", "Muy mal servicio."},
		{"es", "Muy bueno"},
		{"sv", "Appen är bra men den kraschar ofta efter uppdateringen."},
		{"da", "Pakken kom alt for sent, og jeg har ikke fået svar. Meget dårlig service."},
		{"no", "Veldig bra app, men den krasjer av og til."},
		{"fi", "Hyvä sovellus mutta kaatuu usein."},
		{"pl", "Bardzo słaba obsługa klienta, nie polecam."},
		{"cs", "Skvělá aplikace, doporučuji."},
		{"sk", "Veľmi príjemný personál, ďakujem."},
		{"ro", "Aplicația este foarte bună."},
		{"tr", "Uygulama çok kötü, sürekli çöküyor."},
		{"id", "Aplikasinya bagus sekali, pengiriman cepat."},
		{"hu", "Nagyon jó alkalmazás, de sokszor lefagy."},
		{"vi", "Rất tốt, giao hàng nhanh."},
		// No function words, but feedback words of one language: no English
		// reading of "service", "super" or "top".
		{"de", "Service super, Lieferung schnell"},
		{"fr", "Top produit, livraison rapide"},
		// Too short or no evidence: unknown.
		{"", "Great!"},
		{"", "ok"},
		{"", "Levering og service"}, // Danish or Norwegian
		{"", "12345 678"},
		{"", "[EMAIL]"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := a.Analyze(tt.text)
			assert.Equal(t, tt.want, got.Language)
			if tt.want != "" && tt.want != "en" {
				// Never an English guess for another language.
				assert.Nil(t, got.Sentiment)
				assert.Empty(t, got.Themes)
			}
		})
	}
}

// A text in another language that has English loanwords but too little
// evidence to name its language gets no English analysis either.
func TestNoEnglishGuess(t *testing.T) {
	a := analyzer(t)
	for _, text := range []string{
		"Super app, werkt perfect",       // Dutch: one cue, no function word
		"Levering og service",            // Danish or Norwegian
		"God service og hurtig levering", // Danish
		"Veldig bra app",                 // Norwegian
	} {
		got := a.Analyze(text)
		assert.Nil(t, got.Sentiment, text)
		assert.Empty(t, got.Themes, text)
		assert.NotEqual(t, "en", got.Language, text)
	}
	// Borrowed words, names, typos and emphasis do not make an English
	// text foreign.
	for _, text := range []string{
		"Great service, merci beaucoup!",
		"I've always been seated propmtly and the food is great.",
		"Faan is sooo good.",
		"Ask for Priya at the Leeds branch, she was great.",
		"gr8 app lol",
	} {
		got := a.Analyze(text)
		if assert.NotNil(t, got.Sentiment, text) {
			assert.Equal(t, "positive", got.Sentiment.Label, text)
		}
	}
}
