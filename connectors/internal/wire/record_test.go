package wire

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestSetAttr(t *testing.T) {
	var rec feedback.Record
	SetAttr(&rec, "a", "")
	assert.Nil(t, rec.Attributes, "an empty value creates no map")
	SetAttr(&rec, "a", " x ")
	SetAttr(&rec, "b", "y")
	SetAttr(&rec, "b", "")
	assert.Equal(t, map[string]string{"a": " x ", "b": "y"}, rec.Attributes, "kept as given; empty does not clear")
}

func TestSetField(t *testing.T) {
	tests := []struct {
		key, val string
		want     feedback.Record
		ok       bool
	}{
		{"account_id", "acc_1", feedback.Record{Customer: feedback.Customer{AccountID: "acc_1"}}, true},
		{"role", "Buyer", feedback.Record{Customer: feedback.Customer{Role: feedback.RoleBuyer}}, true},
		{"touchpoint", "checkout", feedback.Record{Touchpoint: "checkout"}, true},
		{"team", "billing", feedback.Record{Team: "billing"}, true},
		{"location", "Berlin", feedback.Record{Location: "Berlin"}, true},
		{"agent", "ag_7", feedback.Record{Agent: "ag_7"}, true},
		{"customer_id", "c_1", feedback.Record{}, false},
		{"Team", "billing", feedback.Record{}, false},
		{"plan", "pro", feedback.Record{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			var rec feedback.Record
			assert.Equal(t, tt.ok, SetField(&rec, tt.key, tt.val))
			assert.Equal(t, tt.want, rec)
		})
	}
	rec := feedback.Record{Team: "old"}
	SetField(&rec, "team", "new")
	assert.Equal(t, "new", rec.Team, "overwrites")
}

func TestApplyTags(t *testing.T) {
	tests := []struct {
		name   string
		tags   []string
		commas TagCommas
		want   feedback.Record
	}{
		{"none", nil, KeepCommas, feedback.Record{}},
		{"blank only", []string{"", "  "}, CommasToSpaces, feedback.Record{}},
		{"trimmed and mapped", []string{" vip ", "touchpoint:checkout", "team:billing", "location:berlin"}, KeepCommas,
			feedback.Record{Touchpoint: "checkout", Team: "billing", Location: "berlin", Attributes: map[string]string{"tags": "vip,touchpoint:checkout,team:billing,location:berlin"}}},
		{"first wins", []string{"team:a", "team:b"}, KeepCommas,
			feedback.Record{Team: "a", Attributes: map[string]string{"tags": "team:a,team:b"}}},
		{"empty value and unknown key not mapped", []string{"team:", "agent:x", "touchpoint"}, KeepCommas,
			feedback.Record{Attributes: map[string]string{"tags": "team:,agent:x,touchpoint"}}},
		{"keys are case-sensitive", []string{"Team:a"}, KeepCommas,
			feedback.Record{Attributes: map[string]string{"tags": "Team:a"}}},
		{"keep commas", []string{"a,b", "team:x,y"}, KeepCommas,
			feedback.Record{Team: "x,y", Attributes: map[string]string{"tags": "a,b,team:x,y"}}},
		{"commas to spaces, after trimming", []string{" a,b ", "c,", ",", "team:x,y"}, CommasToSpaces,
			feedback.Record{Team: "x,y", Attributes: map[string]string{"tags": "a b,c , ,team:x y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec feedback.Record
			ApplyTags(&rec, tt.tags, tt.commas)
			assert.Equal(t, tt.want, rec)
		})
	}
	rec := feedback.Record{Team: "set", Touchpoint: "set"}
	ApplyTags(&rec, []string{"team:tag", "touchpoint:tag"}, KeepCommas)
	assert.Equal(t, "set", rec.Team, "fields already set are kept")
	assert.Equal(t, "set", rec.Touchpoint)
}

func TestJoinList(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"", " ", ","}, ""},
		{[]string{" vip ", "a,b", "c,"}, "vip,a b,c"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, JoinList(tt.in), "%q", tt.in)
	}
}

func TestFieldInstant(t *testing.T) {
	u, err := FieldInstant("created_at", time.Time{})
	require.NoError(t, err)
	assert.True(t, u.IsZero())

	u, err = FieldInstant("created_at", time.Date(2025, 3, 2, 11, 0, 0, 0, time.FixedZone("CET", 3600)))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC), u)
	assert.Equal(t, time.UTC, u.Location())

	_, err = FieldInstant("detail.created_at", Unix(1<<60))
	require.ErrorIs(t, err, connectors.ErrMalformed)
	assert.ErrorContains(t, err, "detail.created_at: timestamp")
}

func TestFirstInstant(t *testing.T) {
	a := time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	b := time.Date(2025, 3, 2, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	bad := Unix(1 << 60)
	tests := []struct {
		name    string
		stamps  []Stamp
		want    time.Time
		ok      bool
		wantErr string
	}{
		{"none", nil, time.Time{}, false, ""},
		{"all absent", []Stamp{{"x", time.Time{}}, {"y", time.Time{}}}, time.Time{}, false, ""},
		{"first set wins", []Stamp{{"x", time.Time{}}, {"y", b}, {"z", a}}, b.UTC(), true, ""},
		{"bad after a set one is not looked at", []Stamp{{"x", a}, {"y", bad}}, a, true, ""},
		{"bad before a set one", []Stamp{{"x", time.Time{}}, {"y", bad}, {"z", a}}, time.Time{}, false, "y: timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := FirstInstant(tt.stamps...)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, connectors.ErrMalformed)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFirstTime(t *testing.T) {
	cet := time.Date(2025, 3, 2, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	assert.True(t, FirstTime().IsZero())
	assert.True(t, FirstTime(time.Time{}, time.Time{}).IsZero())
	got := FirstTime(time.Time{}, cet, time.Unix(0, 1))
	assert.Equal(t, time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC), got)
	assert.Equal(t, time.UTC, got.Location())
}
