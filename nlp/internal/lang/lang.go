package lang

import (
	"math/bits"
	"strings"
	"unicode/utf8"
)

// Languages, as indexes into Codes.
const (
	EN = iota
	ES
	FR
	DE
	IT
	PT
	NL
	SV
	DA
	NO
	FI
	PL
	CS
	RO
	TR
	ID
	HU
	VI
	SK
	numLangs
)

// Codes are the ISO 639-1 codes of the known languages ("no" is Norwegian
// Bokmål).
var Codes = [numLangs]string{
	"en", "es", "fr", "de", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "ro", "tr", "id", "hu", "vi", "sk",
}

// Mask has one bit per language.
type Mask uint32

// Has reports whether m includes language l.
func (m Mask) Has(l int) bool { return m&(1<<l) != 0 }

// stopwords are each language's function words: evidence for the language,
// and never part of a key phrase in it. Words that are also common English
// words ("men", "den", "for", "at", "i") are left out of the other
// languages, so that short English texts keep their English evidence; so
// is Danish "af", English slang in "slow af".
var stopwords = [numLangs]string{
	EN: `the and is was were are to of it i my a an in for not but with they have had has
this that on at be been we you your so very me our their there from would will what
when which as or all no just them he she his her do did does n't 's 'm 're 've 'll
got because about if than could should can after its it's i'm don't didn't wasn't
isn't doesn't won't can't couldn't haven't any some been being am`,
	ES: `el la los las de del que y en un una es por con no se lo para muy pero más mi me
su al le ha fue como nos sin todo ya está esta este esto son hay porque cuando también
nunca sus les yo he han era estaba fueron hace tiene pedido qué ni otra otro sobre
entre después antes mucho poco bien así
desde hasta puedo puede pueden tengo tienen estoy estaban están ser eres menos nada
nadie siempre todavía aún ahora aquí allí cada vez veces aunque según hacer dijeron te
mis tus nuestro nuestra ellos ella él usted ustedes cual cuál donde dónde cómo quien
mejor peor`,
	FR: `le la les de des du un une et est en que qui pas ne je il elle nous vous ils pour
dans sur avec au aux ce cette mais très ou j'ai c'est n'est été a mon ma mes son sa ses
plus tout on se y leur comme bien était avait sont n'ai n'a d'un d'une l'on qu'il moi
toujours jamais rien sans chez trop
suis sommes êtes ont fait faire peut peux moins déjà tous toute toutes aussi vraiment
depuis entre après avant où quand pourquoi donc alors lui eux vos notre votre ces ça
cela ceci voici voilà`,
	DE: `der die das und ist nicht ein eine einen zu mit den dem des sich auf für von ich
sie es wir war sehr aber auch noch nur wie bei hat habe wurde im am um aus oder kein
keine mein meine dass wenn schon ihr uns mir mich wurden sind haben hatte nach immer
nie einem einer zum zur bin
seit dieser diese dieses diesem meiner meinem meinen unser unsere kann können konnte
müssen soll wird werden gibt geht gar ganz ziemlich nichts etwas viel viele vom beim
durch gegen ohne über unter vor zwischen weil obwohl deshalb trotzdem denn`,
	IT: `il lo la gli le di da in che e è un una non per con del della dei sono ma molto mi
ho ha si al alla anche più come questo questa perché sempre nel nella ancora stato
mai niente sul sulla dal dalla ci hanno era erano mio mia gli delle degli
troppo poco meno già tutto tutti tutte ogni quando però senza dopo prima quindi cosa
quello quella suo sua nostro vostro loro fatto posso può devo`,
	PT: `o a os as de do da dos das que e é um uma não em no na para com por muito mas foi
meu minha se ao mais como está isso também nem eu ele ela tem já nos nas pelo pela
foram estava seu sua quando sempre nunca você ter ser
estou são tenho ainda nada só porque onde menos bem depois desde até sem nosso nossa
vocês eles elas isto esse essa este esta aqui lá demais consigo fazer fiz`,
	NL: `de het een en van is niet dat die in ik te op met voor zijn was maar er ook aan
heel erg nog wel geen naar om bij mijn hij ze we hebben heb werd dan als of uit door
nooit wat werd waren jullie u mij hun deze dit omdat zeer
al alles niets iets veel weinig na sinds zonder tegen onder tussen dus toch echt gewoon
helemaal kan kunnen moet moeten wordt worden heeft gaat doet krijg krijgen ons onze`,
	SV: `och att det som med på är av inte jag har var ett om vi kan hade mycket också
eller när efter sin sina hon han vara blev inget ingen aldrig alltid väldigt
mig sig mitt mina vår våra ni här där utan mot från över än
skulle kunde ska vill får fått denna detta dessa`,
	DA: `og det er jeg ikke til med på har var som meget også kan vil blev været
vores deres efter hvor hvad når fordi altid aldrig ingen intet nogen noget
alle han hun mig sig jeres skal kunne`,
	NO: `og det er jeg ikke til med på har var som av kan vil ble vært mitt vår
våre deres etter hvor hva når fordi alltid aldri ingen noe noen alle veldig mye
han hun meg deg seg skal kunne`,
	FI: `ja ei että oli mutta kun niin myös tämä joka ovat olen ole erittäin todella
aina koskaan kaikki minä sinä hän te oma jo vielä kuin jos tai mitä ollut`,
	PL: `nie się na jest że z w jak tak za od mnie bardzo był była było są jestem
już tylko czy tego dla przez jeszcze niestety nigdy zawsze mój moja który
która które więc też`,
	CS: `na že s z jsem jsou není jak tak už jen velmi moc byl byla bylo při
od ze mě mně také taky ještě nikdy vždy vždycky který která které protože jsme`,
	RO: `și în nu este cu că sunt mai foarte pentru dar fost sau îmi
niciodată întotdeauna doar toate prea acest această după fără ei lor mea`,
	TR: `bir ve bu çok için ile ama değil yok daha gibi sen mı mu mü hiç kadar
sonra şey hala asla olarak olan bana beni diye çünkü değildir`,
	ID: `yang dan di ini itu dengan untuk tidak saya ke dari akan juga sudah bisa
sangat tapi karena kalau sekali lagi belum aja banget gak nggak sih kok kami kita
mereka atau oleh sama tolong`,
	HU: `az és nem hogy egy meg már csak még nagyon ez azt vagy ki soha
mindig minden nincs lett lesz ezt aki amit mert`,
	VI: `và của là không có được cho rất nhưng này các những một với đã sẽ thì mà khi
cũng bị tôi mình`,
	SK: `sa sú ako už len veľmi bol bola bolo pri ktorý ktorá ktoré lebo aj
ešte nikdy vždy môj moja sme ste`,
}

// cues are common words of customer feedback in each language (delivery,
// service, praise, complaint) that are not English words. They count as
// evidence like function words do but may be part of a key phrase.
var cues = [numLangs]string{
	ES: `excelente pésimo pésima rápido rápida entrega envío recomiendo bueno buena
malo producto calidad servicio atención aplicación funciona llegó recibí
compra precio
comida envio rapido cuenta tarjeta banco sesión sesion estafa cobraron buenísima`,
	FR: `produit livraison rapide commande reçu génial bonne qualité recommande
déçu déçue nul colis satisfait appli fonctionne vendeur conseiller magasin remboursement
conseillère banque carte compte refusé injoignable dégoûté bof`,
	DE: `schnell schnelle lieferung gut schlecht preis kundenservice empfehlen
empfehlenswert bestellt bestellung alles leider versand freundlich zufrieden
paket geliefert funktioniert wieder katastrophe einfach
zimmer frühstück dreckig überweisung reklamation bearbeitung ewig stürzt ständig
leistung passt`,
	IT: `ottimo ottima servizio consegna veloce prodotto consiglio qualità bello
pessimo pessima buono buona arrivato ordine funziona acquisto prezzo
pacco rotto prezzi banca carta schifo consigliato bloccato avvisare pagare giorni altri`,
	PT: `ótimo ótima otimo recomendo produto serviço obrigado obrigada atendimento bom
péssimo pessimo chegou qualidade aplicativo adorei gostei entrega rápida
comida fria frio banco demora responder amei rapida rápido pedido aplicação conta cartão`,
	NL: `werkt goed goede snel snelle bezorging bedankt aanrader klantenservice slecht
slechte prima besteld bestelling geleverd tevreden helaas altijd
vriendelijk vriendelijke personeel schone schoon kamer matig handige handig crasht
pakket`,
	SV: `snabb snabbt leverans rekommenderar dålig dåligt bästa fungerar appen
kundtjänst beställning varor trevlig`,
	DA: `godt dårlig dårligt hurtig hurtigt levering anbefale anbefaler anbefales tak varer
kundeservice fantastisk nemt virker ordre bestilling bestilte`,
	NO: `godt dårlig dårlige rask raskt levering anbefaler anbefales takk kundeservice
fungerer bestilling bestilte`,
	FI: `hyvä huono nopea nopeasti toimitus kiitos suosittelen sovellus toimii palvelu
asiakaspalvelu tuote kaatuu`,
	PL: `polecam dobry dobra dobrze szybko szybka dostawa aplikacja obsługa klienta
zamówienie słaba świetna`,
	CS: `doporučuji dobrý dobrá rychlé rychle doručení aplikace skvělá skvělé špatná
špatné zboží děkuji`,
	RO: `bine bună livrare recomand aplicația aplicatia produs mulțumesc mulțumim`,
	TR: `iyi güzel kötü hızlı teşekkürler teşekkür ederim uygulama ürün kargo tavsiye
ediyorum berbat harika sürekli`,
	ID: `bagus mantap cepat pengiriman aplikasi barang terima kasih sesuai kurang jelek
lambat pelayanan`,
	HU: `jó rossz gyors szállítás köszönöm ajánlom alkalmazás termék kiváló`,
	VI: `tốt hàng giao nhanh sản phẩm dịch vụ ứng dụng cảm ơn`,
	SK: `ďakujem odporúčam dobrá dobré rýchle doručenie aplikácia tovar`,
}

// words maps a lower-case word to the languages it is a function word of
// and the languages it is evidence for (function words and cues).
var words = func() map[string]wordMasks {
	m := map[string]wordMasks{}
	for l, list := range stopwords {
		for _, w := range strings.Fields(list) {
			wm := m[w]
			wm.stop |= 1 << l
			wm.evidence |= 1 << l
			m[w] = wm
		}
	}
	for l, list := range cues {
		for _, w := range strings.Fields(list) {
			wm := m[w]
			wm.evidence |= 1 << l
			m[w] = wm
		}
	}
	return m
}()

type wordMasks struct{ stop, evidence Mask }

// StopMask returns the languages whose function words include the
// lower-case word.
func StopMask(lower string) Mask { return words[lower].stop }

// EvidenceMask returns the languages the lower-case word speaks for: those
// whose function words or common feedback words include it.
func EvidenceMask(lower string) Mask { return words[lower].evidence }

// Cues returns the common feedback words of language l that count as
// evidence for it besides its function words.
func Cues(l int) []string { return strings.Fields(cues[l]) }

// IsStop reports whether the lower-case word is a function word of l.
func IsStop(lower string, l int) bool { return words[lower].stop.Has(l) }

// HintMask returns the languages that use the letters of word that only a
// few of the known languages use (ñ, ß, ã, ...).
func HintMask(word string) Mask {
	var m Mask
	for i := 0; i < len(word); {
		c := word[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(word[i:])
		i += size
		m |= letterHint(r)
	}
	return m
}

// letterHint returns the languages that use the letter r; 0 for letters
// that tell nothing (ASCII, or used by most of them).
func letterHint(r rune) Mask {
	if r >= 0x1EA0 && r <= 0x1EF9 { // Latin Extended Additional: ạ ả ấ ầ ... ỹ
		return 1 << VI
	}
	switch r {
	case 'ñ', 'Ñ', '¿', '¡':
		return 1 << ES
	case 'ß':
		return 1 << DE
	case 'ä', 'Ä':
		return 1<<DE | 1<<SV | 1<<FI | 1<<SK
	case 'ö', 'Ö':
		return 1<<DE | 1<<SV | 1<<FI | 1<<TR | 1<<HU
	case 'ü', 'Ü':
		return 1<<DE | 1<<ES | 1<<TR | 1<<HU
	case 'å', 'Å':
		return 1<<SV | 1<<DA | 1<<NO
	case 'æ', 'Æ', 'ø', 'Ø':
		return 1<<DA | 1<<NO
	case 'ç', 'Ç':
		return 1<<FR | 1<<PT | 1<<TR
	case 'ã', 'õ', 'Ã', 'Õ':
		return 1 << PT
	case 'è', 'È':
		return 1<<FR | 1<<IT
	case 'ê', 'Ê':
		return 1<<FR | 1<<PT
	case 'ô', 'Ô':
		return 1<<FR | 1<<PT | 1<<SK
	case 'â', 'Â':
		return 1<<FR | 1<<PT | 1<<RO
	case 'à', 'À':
		return 1<<FR | 1<<IT | 1<<PT
	case 'ò', 'ù', 'ì', 'Ò', 'Ù', 'Ì':
		return 1 << IT
	case 'œ', 'Œ', 'ï', 'ë', 'û':
		return 1 << FR
	case 'î', 'Î':
		return 1<<FR | 1<<RO
	case 'á', 'í', 'ú', 'Á', 'Í', 'Ú':
		return 1<<ES | 1<<PT | 1<<CS | 1<<SK | 1<<HU
	case 'ó', 'Ó':
		return 1<<ES | 1<<PT | 1<<PL | 1<<HU
	case 'é', 'É':
		return 1<<FR | 1<<ES | 1<<PT | 1<<CS | 1<<SK | 1<<HU
	case 'ł', 'Ł', 'ą', 'Ą', 'ę', 'Ę', 'ś', 'Ś', 'ź', 'Ź', 'ż', 'Ż', 'ć', 'Ć', 'ń', 'Ń':
		return 1 << PL
	case 'ř', 'Ř', 'ů', 'Ů', 'ě', 'Ě':
		return 1 << CS
	case 'ľ', 'Ľ', 'ĺ', 'Ĺ', 'ŕ', 'Ŕ':
		return 1 << SK
	case 'š', 'Š', 'č', 'Č', 'ž', 'Ž', 'ý', 'Ý', 'ň', 'Ň', 'ť', 'Ť', 'ď', 'Ď':
		return 1<<CS | 1<<SK
	case 'ș', 'Ș', 'ț', 'Ț', 'ţ', 'Ţ':
		return 1 << RO
	case 'ş', 'Ş':
		return 1<<RO | 1<<TR
	case 'ă', 'Ă':
		return 1<<RO | 1<<VI
	case 'ı', 'İ', 'ğ', 'Ğ':
		return 1 << TR
	case 'ő', 'Ő', 'ű', 'Ű':
		return 1 << HU
	case 'ơ', 'Ơ', 'ư', 'Ư', 'đ', 'Đ':
		return 1 << VI
	}
	return 0
}

// Counter accumulates evidence word by word. The zero value is ready.
type Counter struct {
	score [numLangs]float64
	stops [numLangs]float64 // the part of score from function words
	words int
	// The contributions so far, to tell the evidence the two leaders share
	// from what only one of them has (Danish and Norwegian share most of
	// their function words). Beyond len(parts) shared evidence is no
	// longer subtracted, which only makes Result more careful.
	parts [48]part
	nPart int
}

type part struct {
	langs  Mask
	weight float64
}

// Add counts one word, given its StopMask, EvidenceMask and HintMask: a
// function word or cue weighs 1 split among the languages that share it;
// distinctive letters weigh 1 when one language alone uses them (ł, ř, ß,
// ñ, ğ, ő, ...), else half a point split among the languages that do.
func (c *Counter) Add(stop, evidence, hint Mask) {
	c.words++
	if evidence != 0 {
		w := 1 / float64(bits.OnesCount32(uint32(evidence)))
		c.add(evidence, w)
		for l := range numLangs {
			if stop.Has(l) {
				c.stops[l] += w
			}
		}
	}
	if hint != 0 {
		n := bits.OnesCount32(uint32(hint))
		w := 0.5 / float64(n)
		if n == 1 {
			w = 1
		}
		c.add(hint, w)
	}
}

func (c *Counter) add(m Mask, w float64) {
	for l := range numLangs {
		if m.Has(l) {
			c.score[l] += w
		}
	}
	if bits.OnesCount32(uint32(m)) > 1 && c.nPart < len(c.parts) {
		c.parts[c.nPart] = part{m, w}
		c.nPart++
	}
}

// Score returns the evidence counted for language l.
func (c *Counter) Score(l int) float64 { return c.score[l] }

// Result returns the best language and whether English scores at least as
// high as every other language. The best language is -1 (unknown) unless it
// has 1.5 points and, counting only the evidence it does not share with the
// runner-up, half a point plus 1.5 times the runner-up's; or, in a text of
// three words or more, one point of function words and no rival at all (a
// cue alone, "Lieferung" in an English text, is not enough).
func (c *Counter) Result() (best int, englishLeads bool) {
	best, second := -1, -1
	for l := range numLangs {
		switch {
		case best < 0 || c.score[l] > c.score[best]:
			best, second = l, best
		case second < 0 || c.score[l] > c.score[second]:
			second = l
		}
	}
	englishLeads = c.score[EN] >= c.score[best]
	b, s := c.score[best], c.score[second]
	both := Mask(1)<<best | Mask(1)<<second
	shared := 0.0
	for _, p := range c.parts[:c.nPart] {
		if p.langs&both == both {
			shared += p.weight
		}
	}
	switch {
	case b >= 1.5 && b-shared >= 1.5*(s-shared)+0.5:
	case c.stops[best] >= 1 && s == 0 && c.words >= 3:
	default:
		return -1, englishLeads
	}
	return best, englishLeads
}
