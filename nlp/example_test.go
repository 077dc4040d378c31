package nlp_test

import (
	"fmt"

	"github.com/corridorhq/corridor/nlp"
)

func ExampleAnalyzer_Analyze() {
	a, err := nlp.New(nlp.NewDefaultConfig())
	if err != nil {
		panic(err)
	}
	an := a.Analyze("The staff were rude but the food was great. Call me on +44 20 7946 0958.")
	fmt.Println(an.Text)
	fmt.Println(an.Language, an.Sentiment.Label, an.PII)
	for _, th := range an.Themes {
		fmt.Printf("%s %s", th.ID, th.Sentiment.Label)
		for _, m := range th.Matches {
			fmt.Printf(" %q@%d", m.Text, m.Start)
		}
		fmt.Println()
	}
	// Output:
	// The staff were rude but the food was great. Call me on [PHONE].
	// en positive map[phone:1]
	// staff_attitude negative "staff"@4 "rude"@15
	// food_quality positive "food"@28
}

func ExampleAnalyzer_Redact() {
	a, err := nlp.New(nlp.NewDefaultConfig())
	if err != nil {
		panic(err)
	}
	text, pii := a.Redact("Refund to DE89 3704 0044 0532 0130 00 please, order #123456789.")
	fmt.Println(text, pii)
	// Output:
	// Refund to [IBAN] please, order #123456789. map[iban:1]
}
