package connectors

import (
	"errors"
	"fmt"
	"strings"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// Mapping derives record fields from vendor fields. Decoders expose the
// vendor fields a user may map from as record attributes (documented per
// vendor: form_id, tags, group_id, hidden.<name>, …). A rule that yields a
// value overrides what the decoder set; Defaults apply after mapping to
// fields still empty.
//
//	mapping:
//	  touchpoint: {from: [form_id], values: {aBc123: onboarding, xYz789: renewal}}
//	  team:       {from: [tags], prefix: "team:"}
//	  location:   {from: [hidden.store, property.location], default: online}
type Mapping struct {
	Touchpoint *Rule `yaml:"touchpoint"`
	Team       *Rule `yaml:"team"`
	Location   *Rule `yaml:"location"`
	Agent      *Rule `yaml:"agent"`
	Role       *Rule `yaml:"role"`
	CustomerID *Rule `yaml:"customer_id"`
	AccountID  *Rule `yaml:"account_id"`
}

// Rule reads one record field from record attributes.
type Rule struct {
	// From lists attribute keys tried in order; the first that yields a
	// value wins.
	From []string `yaml:"from"`
	// Prefix treats the attribute as a comma-separated list (tags) and
	// takes the first item that starts with Prefix, without the prefix.
	Prefix string `yaml:"prefix"`
	// Values maps vendor values to record values. When set, a value not
	// listed falls through to Default; when empty, values are kept as is.
	Values map[string]string `yaml:"values"`
	// Default is used when no key yields a value.
	Default string `yaml:"default"`
}

func (m Mapping) rules() []struct {
	name string
	rule *Rule
} {
	return []struct {
		name string
		rule *Rule
	}{
		{"touchpoint", m.Touchpoint}, {"team", m.Team}, {"location", m.Location}, {"agent", m.Agent},
		{"role", m.Role}, {"customer_id", m.CustomerID}, {"account_id", m.AccountID},
	}
}

// Validate reports every rule with nothing to read from.
func (m Mapping) Validate() error {
	var errs []error
	for _, r := range m.rules() {
		if r.rule != nil && len(r.rule.From) == 0 && r.rule.Default == "" {
			errs = append(errs, fmt.Errorf("%s: needs from or default", r.name))
		}
		if r.name == "role" && r.rule != nil {
			for _, v := range append(mapValues(r.rule.Values), r.rule.Default) {
				if v != "" && v != string(feedback.RoleUnknown) && feedback.ParseRole(v) == feedback.RoleUnknown {
					errs = append(errs, fmt.Errorf("role: %q is not end_user, buyer, decision_maker or unknown", v))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Apply sets the mapped fields of r from its attributes.
func (m Mapping) Apply(r *feedback.Record) {
	set := func(dst *string, rule *Rule) {
		if rule == nil {
			return
		}
		if v := rule.eval(r.Attributes); v != "" {
			*dst = v
		}
	}
	set(&r.Touchpoint, m.Touchpoint)
	set(&r.Team, m.Team)
	set(&r.Location, m.Location)
	set(&r.Agent, m.Agent)
	set(&r.Customer.ID, m.CustomerID)
	set(&r.Customer.AccountID, m.AccountID)
	if m.Role != nil {
		if v := m.Role.eval(r.Attributes); v != "" {
			r.Customer.Role = feedback.ParseRole(v)
		}
	}
}

func (rule *Rule) eval(attrs map[string]string) string {
	for _, key := range rule.From {
		v, ok := attrs[key]
		if !ok || v == "" {
			continue
		}
		if rule.Prefix != "" {
			v = firstWithPrefix(v, rule.Prefix)
			if v == "" {
				continue
			}
		}
		if len(rule.Values) == 0 {
			return v
		}
		if mapped, ok := rule.Values[v]; ok {
			return mapped
		}
	}
	return rule.Default
}

func firstWithPrefix(list, prefix string) string {
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if strings.HasPrefix(item, prefix) && len(item) > len(prefix) {
			return item[len(prefix):]
		}
	}
	return ""
}

// Fill sets the record fields that are still empty (touchpoint, team,
// location, agent, an unknown role) from d, and makes an empty role
// RoleUnknown.
func (d Defaults) Fill(r *feedback.Record) {
	fill := func(field *string, def string) {
		if *field == "" {
			*field = def
		}
	}
	fill(&r.Touchpoint, d.Touchpoint)
	fill(&r.Team, d.Team)
	fill(&r.Location, d.Location)
	fill(&r.Agent, d.Agent)
	if (r.Customer.Role == "" || r.Customer.Role == feedback.RoleUnknown) && d.Role != "" {
		r.Customer.Role = feedback.ParseRole(d.Role)
	}
	if r.Customer.Role == "" {
		r.Customer.Role = feedback.RoleUnknown
	}
}
