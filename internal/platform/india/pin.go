package india

import (
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// ErrPINStateMismatch is an Indian address whose PIN code is not one the
// state it names uses. Its field error is on postal_code.
var ErrPINStateMismatch = errs.Invalid("postal_code_state_mismatch", "the PIN code is not in the state given")

// circles maps a PIN code's first two digits (its postal circle) to the
// states and union territories whose PIN codes start with them. India Post
// circles follow state lines closely but not exactly, so the table is
// deliberately permissive where a circle spans several (Telangana and
// Andhra Pradesh share 50-53; Goa is 403 within Maharashtra's 40-44;
// Puducherry's enclaves are 605/607/609, Mahe 673 and Yanam 533). Prefixes
// 90-99 are the Army Postal Service, valid with any state; prefixes that
// are not in use (10, 29, 35, 54, 55, 86-89) match none.
var circles = func() [100][]string {
	var c [100][]string
	set := func(from, to int, codes ...string) {
		for p := from; p <= to; p++ {
			c[p] = append(c[p], codes...)
		}
	}
	set(11, 11, "DL")
	set(12, 13, "HR")
	set(14, 16, "PB")
	set(16, 16, "CH")
	set(17, 17, "HP")
	set(18, 19, "JK", "LA")
	set(20, 28, "UP")
	set(24, 26, "UK")
	set(30, 34, "RJ")
	set(36, 39, "GJ")
	set(36, 36, "DH") // Diu 362520
	set(39, 39, "DH") // Daman 396210, Silvassa 396230
	set(40, 44, "MH")
	set(40, 40, "GA") // 403
	set(45, 49, "MP", "CG")
	set(50, 53, "TS", "AP")
	set(53, 53, "PY") // Yanam 533464
	set(56, 59, "KA")
	set(60, 66, "TN")
	set(60, 60, "PY") // Puducherry 605, Karaikal 609
	set(67, 69, "KL")
	set(67, 67, "PY") // Mahe 673310
	set(68, 68, "LD") // 682555-682559
	set(70, 74, "WB")
	set(73, 73, "SK") // 737
	set(74, 74, "AN") // 744
	set(75, 77, "OD")
	set(78, 78, "AS")
	set(79, 79, "AR", "MN", "ML", "MZ", "NL", "TR")
	set(80, 85, "BR", "JH")
	return c
}()

// ValidPIN reports whether pin is six digits, the first 1-9.
func ValidPIN(pin string) bool {
	if len(pin) != 6 || pin[0] < '1' || pin[0] > '9' {
		return false
	}
	for i := 1; i < 6; i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return false
		}
	}
	return true
}

func prefix(pin string) int { return int(pin[0]-'0')*10 + int(pin[1]-'0') }

// armyPost reports whether pin is an Army Postal Service PIN (90-99),
// which goes with any state.
func armyPost(pin string) bool { return pin[0] == '9' }

// PINMatchesState reports whether an Indian PIN code can be in state
// (given by code, name or GST state code, as LookupState takes it). It is
// false if pin is not a PIN code or state not an Indian state or union
// territory; callers that accept states they do not know should check
// LookupState first.
func PINMatchesState(pin, state string) bool {
	st, ok := LookupState(state)
	if !ok || !ValidPIN(pin) {
		return false
	}
	if armyPost(pin) {
		return true
	}
	for _, c := range circles[prefix(pin)] {
		if c == st.Code {
			return true
		}
	}
	return false
}

// PINStates returns the states and union territories whose PIN codes start
// like pin, nil if pin is not a PIN code, is an Army Postal Service PIN (any
// state) or starts with digits no circle uses.
func PINStates(pin string) []State {
	if !ValidPIN(pin) || armyPost(pin) {
		return nil
	}
	var out []State
	for _, c := range circles[prefix(pin)] {
		st, _ := LookupState(c)
		out = append(out, st)
	}
	return out
}

// MismatchMessage explains, as a field message for postal_code, why pin
// does not go with state: "PIN codes starting 40 are in Maharashtra or Goa,
// not Karnataka".
func MismatchMessage(pin, state string) string {
	name := state
	if st, ok := LookupState(state); ok {
		name = st.Name
	}
	in := PINStates(pin)
	if len(in) == 0 {
		if !ValidPIN(pin) {
			return "is not an Indian PIN code (6 digits, the first 1-9)"
		}
		return "no Indian PIN codes start " + pin[:2]
	}
	names := make([]string, len(in))
	for i, s := range in {
		names[i] = s.Name
	}
	list := names[0]
	if len(names) > 1 {
		list = strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}
	return "PIN codes starting " + pin[:2] + " are in " + list + ", not " + name
}

// CheckPIN is the check an Indian address gets: nil when pin goes with
// state, or when pin is not a PIN code or state not one LookupState knows
// (whether they must be is the caller's business, with its own message);
// else ErrPINStateMismatch with a field error on postal_code.
func CheckPIN(pin, state string) *errs.Error {
	if _, ok := LookupState(state); !ok || !ValidPIN(pin) || PINMatchesState(pin, state) {
		return nil
	}
	msg := MismatchMessage(pin, state)
	e := ErrPINStateMismatch.With("postal_code: " + msg)
	e.Fields = []errs.FieldError{{Field: "postal_code", Message: msg}}
	return e
}
