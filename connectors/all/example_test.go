package all_test

import (
	"context"
	"fmt"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/all"
)

// The gateway's path for one request: look the vendor up, build its decoder
// from the source config, verify, then decode.
func Example() {
	f, ok := all.Lookup("generic")
	if !ok {
		panic("generic connector missing")
	}
	now := time.Date(2025, 3, 2, 10, 5, 0, 0, time.UTC)
	d, err := f.New(
		connectors.SourceConfig{Type: f.Type, Secrets: []string{"whsec_Y29ycmlkb3ItZXhhbXBsZS1rZXk="}},
		connectors.Settings{Name: "in-app", Now: func() time.Time { return now }},
	)
	if err != nil {
		panic(err)
	}

	req := connectors.Request{
		ContentType: "application/json",
		Body:        []byte(`{"id":"resp-1","score":{"value":9,"type":"nps"},"text":"Setup took five minutes."}`),
		ReceivedAt:  now,
	}
	// A sender would do this; tests and `corridor sign` use the Signer.
	if err := d.(connectors.Signer).Sign(&req, now); err != nil {
		panic(err)
	}
	if err := d.(connectors.Verifier).Verify(req); err != nil {
		fmt.Println("refused:", connectors.Reason(err))
		return
	}
	recs, err := d.Decode(context.Background(), req)
	if err != nil {
		fmt.Println("refused:", connectors.Reason(err))
		return
	}
	r := recs[0]
	fmt.Println(r.Source, r.Kind, r.Score.Type, r.Score.NPSCategory)
	fmt.Println(r.Text)

	req.Body = []byte(`{"id":"resp-1","text":"tampered"}`)
	fmt.Println("tampered:", connectors.Reason(d.(connectors.Verifier).Verify(req)))
	// Output:
	// in-app survey nps promoter
	// Setup took five minutes.
	// tampered: signature_invalid
}
