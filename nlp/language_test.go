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
		// Too short or no evidence: unknown.
		{"", "Great!"},
		{"", "ok"},
		{"", "Muy bueno"},
		{"", "12345 678"},
		{"", "[EMAIL]"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			assert.Equal(t, tt.want, a.Analyze(tt.text).Language)
		})
	}
}
