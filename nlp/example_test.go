package nlp_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/corridorhq/corridor/nlp"
	"github.com/corridorhq/corridor/nlp/model"
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

func ExampleAnalyzer_Train() {
	a, err := nlp.New(nlp.NewDefaultConfig())
	if err != nil {
		panic(err)
	}
	f, err := os.Open("testdata/train/cx.jsonl") // {"text":..,"themes":[..],"polarity":..} a line
	if err != nil {
		panic(err)
	}
	examples, err := model.ReadJSONL(f)
	f.Close()
	if err != nil {
		panic(err)
	}
	m, err := a.Train(examples, model.TrainOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	path := filepath.Join(os.TempDir(), "corridor-example.model.json")
	defer os.Remove(path)
	if err := m.WriteFile(path); err != nil {
		panic(err)
	}

	cfg := nlp.NewDefaultConfig()
	cfg.Model, cfg.ModelMode = path, nlp.ModelReplace
	b, err := nlp.New(cfg)
	if err != nil {
		panic(err)
	}
	for _, th := range b.Analyze("The courier dumped my parcel in the rain.").Themes {
		fmt.Printf("%s (%s)", th.ID, th.Group)
		for _, m := range th.Matches {
			fmt.Printf(" %q", m.Text)
		}
		fmt.Println()
	}
	// Output:
	// shipping (model) "courier" "parcel"
}
