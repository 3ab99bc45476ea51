// Package india knows Indian geography that more than one service checks:
// the states and union territories with the codes, names and GST state
// codes addresses use, and which states each PIN-code prefix covers.
package india

import "strings"

// State is a state or union territory.
type State struct {
	Code string // the two letters Indian addresses use: "MH"
	Name string // "Maharashtra"
	// Aliases are the GST state code, older codes and spellings.
	Aliases []string
	// UnionTerritory marks a territory without a legislature: within it,
	// GST's state part is UTGST.
	UnionTerritory bool
}

var states = []State{
	{Code: "AN", Name: "Andaman and Nicobar Islands", Aliases: []string{"35", "Andaman & Nicobar"}, UnionTerritory: true},
	{Code: "AP", Name: "Andhra Pradesh", Aliases: []string{"37"}},
	{Code: "AR", Name: "Arunachal Pradesh", Aliases: []string{"12"}},
	{Code: "AS", Name: "Assam", Aliases: []string{"18"}},
	{Code: "BR", Name: "Bihar", Aliases: []string{"10"}},
	{Code: "CH", Name: "Chandigarh", Aliases: []string{"04"}, UnionTerritory: true},
	{Code: "CG", Name: "Chhattisgarh", Aliases: []string{"CT", "22"}},
	{Code: "DH", Name: "Dadra and Nagar Haveli and Daman and Diu", Aliases: []string{"DN", "DD", "26", "25", "Dadra and Nagar Haveli", "Daman and Diu"}, UnionTerritory: true},
	{Code: "DL", Name: "Delhi", Aliases: []string{"07", "NCT of Delhi", "New Delhi"}},
	{Code: "GA", Name: "Goa", Aliases: []string{"30"}},
	{Code: "GJ", Name: "Gujarat", Aliases: []string{"24"}},
	{Code: "HR", Name: "Haryana", Aliases: []string{"06"}},
	{Code: "HP", Name: "Himachal Pradesh", Aliases: []string{"02"}},
	{Code: "JK", Name: "Jammu and Kashmir", Aliases: []string{"01"}},
	{Code: "JH", Name: "Jharkhand", Aliases: []string{"20"}},
	{Code: "KA", Name: "Karnataka", Aliases: []string{"29"}},
	{Code: "KL", Name: "Kerala", Aliases: []string{"32"}},
	{Code: "LA", Name: "Ladakh", Aliases: []string{"38"}, UnionTerritory: true},
	{Code: "LD", Name: "Lakshadweep", Aliases: []string{"31"}, UnionTerritory: true},
	{Code: "MP", Name: "Madhya Pradesh", Aliases: []string{"23"}},
	{Code: "MH", Name: "Maharashtra", Aliases: []string{"27"}},
	{Code: "MN", Name: "Manipur", Aliases: []string{"14"}},
	{Code: "ML", Name: "Meghalaya", Aliases: []string{"17"}},
	{Code: "MZ", Name: "Mizoram", Aliases: []string{"15"}},
	{Code: "NL", Name: "Nagaland", Aliases: []string{"13"}},
	{Code: "OD", Name: "Odisha", Aliases: []string{"OR", "Orissa", "21"}},
	{Code: "PY", Name: "Puducherry", Aliases: []string{"Pondicherry", "34"}},
	{Code: "PB", Name: "Punjab", Aliases: []string{"03"}},
	{Code: "RJ", Name: "Rajasthan", Aliases: []string{"08"}},
	{Code: "SK", Name: "Sikkim", Aliases: []string{"11"}},
	{Code: "TN", Name: "Tamil Nadu", Aliases: []string{"33"}},
	{Code: "TS", Name: "Telangana", Aliases: []string{"TG", "36"}},
	{Code: "TR", Name: "Tripura", Aliases: []string{"16"}},
	{Code: "UP", Name: "Uttar Pradesh", Aliases: []string{"09"}},
	{Code: "UK", Name: "Uttarakhand", Aliases: []string{"UT", "Uttaranchal", "05"}},
	{Code: "WB", Name: "West Bengal", Aliases: []string{"19"}},
}

// byKey finds a state by the StateKey of its code, name or any alias.
var byKey = func() map[string]int {
	m := map[string]int{}
	for i, s := range states {
		for _, k := range append([]string{s.Code, s.Name}, s.Aliases...) {
			if _, dup := m[StateKey(k)]; dup {
				panic("india: two states answer to " + k)
			}
			m[StateKey(k)] = i
		}
	}
	return m
}()

// States lists India's states and union territories, a fresh copy each
// call.
func States() []State {
	out := make([]State, len(states))
	for i, s := range states {
		s.Aliases = append([]string(nil), s.Aliases...)
		out[i] = s
	}
	return out
}

// LookupState finds a state by code, name, GST state code or alias, in any
// case and spacing ("KA", "karnataka", "29"; "Andaman & Nicobar").
func LookupState(s string) (State, bool) {
	if i, ok := byKey[StateKey(s)]; ok {
		return states[i], true
	}
	return State{}, false
}

// StateKey folds a state's code or name for comparison: lower case, "&" as
// "and", letters and digits only.
func StateKey(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "&", "and")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}
