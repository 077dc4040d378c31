package allpollers_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/allpollers"
)

// The framework's path for one feed: look the type up, build the poller
// from its connectors: entry (credentials already resolved into Secrets),
// then fetch pages from "" while Next is set.
func Example() {
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("apikey") != "tp-key" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"reviews":[{"id":"65e2f0c1a1b2c3d4e5f60718","stars":2,"title":"Slow refund",
			"text":"Took a month to get my money back.","language":"en","createdAt":"2025-03-02T10:01:12Z",
			"consumer":{"id":"5f1c0a9b8c7d6e5f4a3b2c1d","displayName":"Ana"}}],"links":[]}`)
	}))
	defer vendor.Close()

	f, ok := allpollers.Lookup("trustpilot")
	if !ok {
		panic("trustpilot poller missing")
	}
	cfg := connectors.PollerConfig{
		Type: f.Type, ID: "trustpilot-acme", BaseURL: vendor.URL,
		Params:  map[string]string{"business_unit_id": "4bdc3d9f000064000505a4f1"},
		Secrets: map[string]string{"api_key": "tp-key"},
	}
	p, err := f.New(cfg, connectors.Settings{})
	if err != nil {
		panic(err)
	}
	page, err := p.Fetch(context.Background(), "")
	if err != nil {
		panic(err)
	}
	r := page.Records[0]
	fmt.Println(r.Source, r.Kind, r.EventID, r.Score.Value)
	fmt.Println(r.Text)
	fmt.Printf("next=%q raw=%t\n", page.Next, len(page.Raw) > 0)

	cfg.Secrets["api_key"] = "revoked"
	p, _ = f.New(cfg, connectors.Settings{})
	_, err = p.Fetch(context.Background(), "")
	fmt.Println("revoked key:", errors.Is(err, connectors.ErrUnauthorized))
	// Output:
	// trustpilot-acme review 65e2f0c1a1b2c3d4e5f60718@1740909672 2
	// Slow refund
	// Took a month to get my money back.
	// next="" raw=true
	// revoked key: true
}
