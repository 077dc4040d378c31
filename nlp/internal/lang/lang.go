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
	numLangs
)

// Codes are the ISO 639-1 codes of the known languages.
var Codes = [numLangs]string{"en", "es", "fr", "de", "it", "pt", "nl"}

// Mask has one bit per language.
type Mask uint8

// Has reports whether m includes language l.
func (m Mask) Has(l int) bool { return m&(1<<l) != 0 }

var stopwords = [numLangs]string{
	EN: `the and is was were are to of it i my a an in for not but with they have had has
this that on at be been we you your so very me our their there from would will what
when which as or all no just them he she his her do did does n't 's 'm 're 've 'll
got because about if than could should can after its it's i'm don't didn't wasn't
isn't doesn't won't can't couldn't haven't any some been being am`,
	ES: `el la los las de del que y en un una es por con no se lo para muy pero más mi me
su al le ha fue como nos sin todo ya está esta este esto son hay porque cuando también
nunca sus les yo he han era estaba fueron hace tiene pedido qué ni otra otro sobre
entre después antes mucho poco bien así`,
	FR: `le la les de des du un une et est en que qui pas ne je il elle nous vous ils pour
dans sur avec au aux ce cette mais très ou j'ai c'est n'est été a mon ma mes son sa ses
plus tout on se y leur comme bien était avait sont n'ai n'a d'un d'une l'on qu'il moi
toujours jamais rien sans chez trop`,
	DE: `der die das und ist nicht ein eine einen zu mit den dem des sich auf für von ich
sie es wir war sehr aber auch noch nur wie bei hat habe wurde im am um aus oder kein
keine mein meine dass wenn schon ihr uns mir mich wurden sind haben hatte nach immer
nie einem einer zum zur bin`,
	IT: `il lo la gli le di da in che e è un una non per con del della dei sono ma molto mi
ho ha si al alla anche più come questo questa perché sempre nel nella ancora stato
mai niente sul sulla dal dalla ci hanno era erano mio mia gli delle degli`,
	PT: `o a os as de do da dos das que e é um uma não em no na para com por muito mas foi
meu minha se ao mais como está isso também nem eu ele ela tem já nos nas pelo pela
foram estava seu sua quando sempre nunca você ter ser`,
	NL: `de het een en van is niet dat die in ik te op met voor zijn was maar er ook aan
heel erg nog wel geen naar om bij mijn hij ze we hebben heb werd dan als of uit door
nooit wat werd waren jullie u mij hun deze dit omdat zeer`,
}

var stopMasks = func() map[string]Mask {
	m := map[string]Mask{}
	for l, list := range stopwords {
		for _, w := range strings.Fields(list) {
			m[w] |= 1 << l
		}
	}
	return m
}()

// StopMask returns the languages whose function words include the
// lower-case word.
func StopMask(lower string) Mask { return stopMasks[lower] }

// IsStop reports whether the lower-case word is a function word of l.
func IsStop(lower string, l int) bool { return stopMasks[lower].Has(l) }

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
		switch r {
		case 'ñ', 'Ñ', '¿', '¡':
			m |= 1 << ES
		case 'ß', 'ä', 'Ä', 'ö', 'Ö':
			m |= 1 << DE
		case 'ü', 'Ü':
			m |= 1<<DE | 1<<ES
		case 'ç', 'Ç':
			m |= 1<<FR | 1<<PT
		case 'ã', 'õ', 'Ã', 'Õ':
			m |= 1 << PT
		case 'è', 'È':
			m |= 1<<FR | 1<<IT
		case 'ê', 'ô', 'â', 'Ê', 'Ô', 'Â':
			m |= 1<<FR | 1<<PT
		case 'à', 'À':
			m |= 1<<FR | 1<<IT | 1<<PT
		case 'ò', 'ù', 'ì', 'Ò', 'Ù', 'Ì':
			m |= 1 << IT
		case 'œ', 'Œ', 'î', 'ï', 'ë', 'û':
			m |= 1 << FR
		case 'á', 'í', 'ó', 'ú', 'Á', 'Í', 'Ó', 'Ú':
			m |= 1<<ES | 1<<PT
		case 'é', 'É':
			m |= 1<<FR | 1<<ES | 1<<PT
		}
	}
	return m
}

// Counter accumulates evidence word by word. The zero value is ready.
type Counter struct {
	score [numLangs]float64
	words int
}

// Add counts one word: a function word weighs 1 split among the languages
// that share it, a distinctive letter weighs half as much.
func (c *Counter) Add(stop, hint Mask) {
	c.words++
	if stop != 0 {
		w := 1 / float64(bits.OnesCount8(uint8(stop)))
		for l := range numLangs {
			if stop.Has(l) {
				c.score[l] += w
			}
		}
	}
	if hint != 0 {
		w := 0.5 / float64(bits.OnesCount8(uint8(hint)))
		for l := range numLangs {
			if hint.Has(l) {
				c.score[l] += w
			}
		}
	}
}

// Result returns the best language and whether English scores at least as
// high as every other language. The best language is -1 (unknown) unless it
// has 1.5 points and half a point plus 1.5 times the runner-up's, or, in a
// text of three words or more, one point and no rival at all.
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
	switch {
	case b >= 1.5 && b >= 1.5*s+0.5:
	case b >= 1 && s == 0 && c.words >= 3:
	default:
		return -1, englishLeads
	}
	return best, englishLeads
}
