package allpollers

import (
	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/appstore"
	"github.com/corridorhq/corridor/connectors/gbp"
	"github.com/corridorhq/corridor/connectors/googleplay"
	"github.com/corridorhq/corridor/connectors/trustpilot"
	"github.com/corridorhq/corridor/connectors/yelp"
)

// Factories returns the factory of every poller, sorted by type.
func Factories() []connectors.PollerFactory {
	return []connectors.PollerFactory{
		appstore.NewPollerFactory(),
		gbp.NewPollerFactory(),
		googleplay.NewPollerFactory(),
		trustpilot.NewPollerFactory(),
		yelp.NewPollerFactory(),
	}
}

// Lookup returns the factory whose Type is typ.
func Lookup(typ string) (connectors.PollerFactory, bool) {
	for _, f := range Factories() {
		if f.Type == typ {
			return f, true
		}
	}
	return connectors.PollerFactory{}, false
}
