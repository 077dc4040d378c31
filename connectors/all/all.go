package all

import (
	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/delighted"
	"github.com/corridorhq/corridor/connectors/formbricks"
	"github.com/corridorhq/corridor/connectors/freshdesk"
	"github.com/corridorhq/corridor/connectors/front"
	"github.com/corridorhq/corridor/connectors/generic"
	"github.com/corridorhq/corridor/connectors/googleforms"
	"github.com/corridorhq/corridor/connectors/helpscout"
	"github.com/corridorhq/corridor/connectors/hubspot"
	"github.com/corridorhq/corridor/connectors/intercom"
	"github.com/corridorhq/corridor/connectors/jira"
	"github.com/corridorhq/corridor/connectors/jotform"
	"github.com/corridorhq/corridor/connectors/qualtrics"
	"github.com/corridorhq/corridor/connectors/surveymonkey"
	"github.com/corridorhq/corridor/connectors/trustpilot"
	"github.com/corridorhq/corridor/connectors/typeform"
	"github.com/corridorhq/corridor/connectors/zendesk"
)

// Factories returns the factory of every connector, sorted by type.
func Factories() []connectors.Factory {
	return []connectors.Factory{
		delighted.NewFactory(),
		formbricks.NewFactory(),
		freshdesk.NewFactory(),
		front.NewFactory(),
		generic.NewFactory(),
		googleforms.NewFactory(),
		helpscout.NewFactory(),
		hubspot.NewFactory(),
		intercom.NewFactory(),
		jira.NewFactory(),
		jotform.NewFactory(),
		qualtrics.NewFactory(),
		surveymonkey.NewFactory(),
		trustpilot.NewFactory(),
		typeform.NewFactory(),
		zendesk.NewFactory(),
	}
}

// Lookup returns the factory whose Type is typ.
func Lookup(typ string) (connectors.Factory, bool) {
	for _, f := range Factories() {
		if f.Type == typ {
			return f, true
		}
	}
	return connectors.Factory{}, false
}
