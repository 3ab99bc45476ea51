package india

import (
	"errors"
	"testing"
)

func TestPINMatchesState(t *testing.T) {
	cases := []struct {
		pin, state string
		want       bool
	}{
		// Real PINs with their state, by code, name and GST code.
		{"400001", "MH", true}, // Mumbai
		{"400001", "Maharashtra", true},
		{"400001", "27", true},
		{"411001", "mh", true},          // Pune
		{"440001", "Maharashtra", true}, // Nagpur
		{"560001", "KA", true},          // Bengaluru
		{"560001", "Karnataka", true},
		{"560001", "29", true},
		{"575001", "KA", true}, // Mangaluru
		{"110001", "DL", true}, // New Delhi
		{"110001", "NCT of Delhi", true},
		{"122001", "HR", true}, // Gurugram
		{"134109", "HR", true}, // Panchkula
		{"141001", "PB", true}, // Ludhiana
		{"160017", "CH", true}, // Chandigarh
		{"160017", "PB", true}, // Punjab's circle includes Chandigarh
		{"160055", "PB", true}, // Mohali
		{"171001", "HP", true}, // Shimla
		{"180001", "JK", true}, // Jammu
		{"190001", "JK", true}, // Srinagar
		{"194101", "LA", true}, // Leh
		{"226001", "UP", true}, // Lucknow
		{"201301", "UP", true}, // Noida
		{"248001", "UK", true}, // Dehradun
		{"248001", "Uttaranchal", true},
		{"263001", "UK", true}, // Nainital
		{"302001", "RJ", true}, // Jaipur
		{"380001", "GJ", true}, // Ahmedabad
		{"396210", "DH", true}, // Daman
		{"396230", "DN", true}, // Silvassa
		{"362520", "DD", true}, // Diu
		{"403001", "GA", true}, // Panaji
		{"403001", "Goa", true},
		{"462001", "MP", true}, // Bhopal
		{"492001", "CG", true}, // Raipur
		{"492001", "CT", true},
		{"500001", "TG", true}, // Hyderabad
		{"500001", "TS", true},
		{"500001", "Telangana", true},
		{"520001", "AP", true}, // Vijayawada
		{"530001", "AP", true}, // Visakhapatnam
		{"533464", "PY", true}, // Yanam
		{"600001", "TN", true}, // Chennai
		{"641001", "TN", true}, // Coimbatore
		{"605001", "PY", true}, // Puducherry
		{"605001", "Pondicherry", true},
		{"609602", "PY", true}, // Karaikal
		{"673310", "PY", true}, // Mahe
		{"682001", "KL", true}, // Kochi
		{"695001", "KL", true}, // Thiruvananthapuram
		{"682555", "LD", true}, // Kavaratti
		{"700001", "WB", true}, // Kolkata
		{"737101", "SK", true}, // Gangtok
		{"744101", "AN", true}, // Port Blair
		{"744101", "Andaman & Nicobar", true},
		{"751001", "OD", true}, // Bhubaneswar
		{"751001", "Orissa", true},
		{"781001", "AS", true}, // Guwahati
		{"791111", "AR", true}, // Itanagar
		{"793001", "ML", true}, // Shillong
		{"795001", "MN", true}, // Imphal
		{"796001", "MZ", true}, // Aizawl
		{"797001", "NL", true}, // Kohima
		{"799001", "TR", true}, // Agartala
		{"800001", "BR", true}, // Patna
		{"834001", "JH", true}, // Ranchi
		{"834001", "Jharkhand", true},
		{"908001", "KA", true}, // Army Postal Service: any state
		{"999001", "Ladakh", true},

		// Mismatches.
		{"400001", "KA", false}, // the storefront's report
		{"400001", "Karnataka", false},
		{"560001", "MH", false},
		{"110001", "HR", false},
		{"600001", "KL", false},
		{"700001", "OD", false},
		{"781001", "ML", false},
		{"793001", "AS", false},
		{"800001", "WB", false},
		{"248001", "HP", false},
		{"302001", "GJ", false},
		{"737101", "AS", false},
		{"122001", "DL", false},

		// Prefixes no circle uses; not a PIN; not a state.
		{"290001", "UP", false},
		{"350001", "RJ", false},
		{"540001", "KA", false},
		{"860001", "BR", false},
		{"40001", "MH", false},
		{"040001", "MH", false},
		{"40000A", "MH", false},
		{"400001", "Atlantis", false},
		{"400001", "", false},
	}
	for _, c := range cases {
		if got := PINMatchesState(c.pin, c.state); got != c.want {
			t.Errorf("PINMatchesState(%q, %q) = %v, want %v", c.pin, c.state, got, c.want)
		}
	}
}

func TestEveryStateHasPINs(t *testing.T) {
	has := map[string]bool{}
	for _, codes := range circles {
		for _, c := range codes {
			if _, ok := LookupState(c); !ok {
				t.Errorf("circle table names unknown state %q", c)
			}
			has[c] = true
		}
	}
	for _, s := range States() {
		if !has[s.Code] {
			t.Errorf("no PIN prefix for %s", s.Name)
		}
	}
}

func TestLookupState(t *testing.T) {
	for in, want := range map[string]string{
		"KA": "KA", "ka": "KA", " Karnataka ": "KA", "29": "KA", "tamil nadu": "TN", "TamilNadu": "TN",
		"Andaman & Nicobar": "AN", "andaman and nicobar islands": "AN", "TG": "TS", "UT": "UK", "Orissa": "OD",
		"Daman and Diu": "DH", "07": "DL",
	} {
		if s, ok := LookupState(in); !ok || s.Code != want {
			t.Errorf("LookupState(%q) = %q, %v; want %q", in, s.Code, ok, want)
		}
	}
	for _, in := range []string{"", "  ", "Atlantis", "99", "XX"} {
		if s, ok := LookupState(in); ok {
			t.Errorf("LookupState(%q) = %q", in, s.Code)
		}
	}
}

func TestCheckPIN(t *testing.T) {
	if err := CheckPIN("560001", "KA"); err != nil {
		t.Errorf("Bengaluru in Karnataka: %v", err)
	}
	if err := CheckPIN("400001", "somewhere"); err != nil {
		t.Errorf("an unknown state is not CheckPIN's to refuse: %v", err)
	}
	if err := CheckPIN("4000", "KA"); err != nil {
		t.Errorf("a malformed PIN is not CheckPIN's to refuse: %v", err)
	}
	err := CheckPIN("400001", "KA")
	if err == nil || !errors.Is(err, ErrPINStateMismatch) {
		t.Fatalf("Mumbai in Karnataka: %v", err)
	}
	if len(err.Fields) != 1 || err.Fields[0].Field != "postal_code" ||
		err.Fields[0].Message != "PIN codes starting 40 are in Maharashtra or Goa, not Karnataka" {
		t.Errorf("fields = %+v", err.Fields)
	}
	if err := CheckPIN("290001", "UP"); err == nil || err.Fields[0].Message != "no Indian PIN codes start 29" {
		t.Errorf("unused prefix: %v", err)
	}
	if err := CheckPIN("793001", "AS"); err == nil ||
		err.Fields[0].Message != "PIN codes starting 79 are in Arunachal Pradesh, Manipur, Meghalaya, Mizoram, Nagaland or Tripura, not Assam" {
		t.Errorf("Shillong in Assam: %v", err)
	}
}
