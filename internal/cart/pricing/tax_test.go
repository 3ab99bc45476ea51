package pricing_test

import (
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

var (
	afterReform  = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	beforeReform = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
)

func inr(a int64) money.Money { return money.MustNew(a, "INR") }

func item(id string, price, qty int64, cats ...string) pricing.Item {
	return pricing.Item{ID: id, SKU: "SKU-" + id, ProductID: "p-" + id, Brand: "Fabindia", Categories: cats, Quantity: qty, UnitPrice: inr(price)}
}

func price(t *testing.T, in pricing.Input) pricing.Result {
	t.Helper()
	if in.Rules == nil {
		r := pricing.IndiaGST()
		in.Rules = &r
	}
	if in.Now.IsZero() {
		in.Now = afterReform
	}
	res, err := pricing.Price(in)
	if err != nil {
		t.Fatal(err)
	}
	checkReconciles(t, in, res)
	return res
}

func TestIndiaRulesValidate(t *testing.T) {
	r := pricing.IndiaGST()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := pricing.IndiaGST()
	bad.Tax.DefaultClass = "nope"
	if bad.Validate() == nil {
		t.Error("an unknown default class passed")
	}
	bad = pricing.IndiaGST()
	bad.Tax.Origin = "XX"
	if bad.Validate() == nil {
		t.Error("an unknown origin passed")
	}
	bad = pricing.IndiaGST()
	bad.Tax.Classes["apparel"] = pricing.TaxClass{Schedules: []pricing.Schedule{{Bands: []pricing.Band{{UpTo: 100, RateBP: 500}}}}}
	if bad.Validate() == nil {
		t.Error("a table without an unbounded last band passed")
	}
}

// The GST table: rate by class, per-piece value and date, at the band
// edges. The band's bound is on the taxable value (tax excluded), so at 5%
// a ₹2,500 bound is a ₹2,625 tax-inclusive price.
func TestGSTRates(t *testing.T) {
	cases := []struct {
		name  string
		now   time.Time
		it    pricing.Item
		rate  int64
		tax   int64
		cgst  int64
		other int64
	}{
		{"apparel ₹999", afterReform, item("a", 999_00, 1), 500, 4757, 2379, 2378},
		{"apparel at the ₹2,500 bound", afterReform, item("a", 2625_00, 1), 500, 12500, 6250, 6250},
		{"apparel a paisa over", afterReform, item("a", 2625_01, 1), 1800, 40043, 20022, 20021},
		{"apparel, bound per piece, 3 pieces", afterReform, item("a", 2625_00, 3), 500, 37500, 18750, 18750},
		{"apparel before the reform, ₹1,050", beforeReform, item("a", 1050_00, 1), 500, 5000, 2500, 2500},
		{"apparel before the reform, ₹1,050.01", beforeReform, item("a", 1050_01, 1), 1200, 11250, 5625, 5625},
		{"footwear before the reform, ₹1,120", beforeReform, item("f", 1120_00, 1, "women", "footwear"), 1200, 12000, 6000, 6000},
		{"footwear before the reform, ₹1,120.01", beforeReform, item("f", 1120_01, 1, "women", "footwear"), 1800, 17085, 8543, 8542},
		{"footwear after, ₹2,000", afterReform, item("f", 2000_00, 1, "women", "footwear", "heels"), 500, 9524, 4762, 4762},
		{"footwear by HSN", afterReform, pricing.Item{ID: "h", Quantity: 1, UnitPrice: inr(3000_00), HSN: "640399"}, 1800, 45763, 22882, 22881},
		{"a bag is standard rate", afterReform, item("b", 500_00, 1, "accessories", "bags"), 1800, 7627, 3814, 3813},
		{"explicit class wins", afterReform, pricing.Item{ID: "x", Quantity: 1, UnitPrice: inr(500_00), TaxClass: "standard", HSN: "6109"}, 1800, 7627, 3814, 3813},
		{"free item", afterReform, item("z", 0, 1), 500, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := price(t, pricing.Input{Now: c.now, Items: []pricing.Item{c.it},
				Destination: &pricing.Destination{Country: "IN", Region: "Maharashtra", PostalCode: "400001"}})
			l := res.Lines[0]
			if l.TaxRateBP != c.rate || l.Tax.Amount != c.tax {
				t.Fatalf("rate %d tax %d, want %d and %d", l.TaxRateBP, l.Tax.Amount, c.rate, c.tax)
			}
			if c.tax == 0 {
				if len(l.Taxes) != 0 {
					t.Fatalf("taxes %+v on a zero tax", l.Taxes)
				}
				return
			}
			if len(l.Taxes) != 2 || l.Taxes[0].Name != "CGST" || l.Taxes[1].Name != "SGST" ||
				l.Taxes[0].Amount.Amount != c.cgst || l.Taxes[1].Amount.Amount != c.other ||
				l.Taxes[0].RateBP+l.Taxes[1].RateBP != c.rate {
				t.Fatalf("itemised %+v", l.Taxes)
			}
		})
	}
}

func TestPlaceOfSupply(t *testing.T) {
	lines := []pricing.Item{item("a", 1500_00, 2)}
	cases := []struct {
		name  string
		rules func(*pricing.Rules)
		dest  *pricing.Destination
		names []string
		inter bool
		estim bool
	}{
		{"within Maharashtra by code", nil, &pricing.Destination{Country: "IN", Region: "MH", PostalCode: "411001"}, []string{"CGST", "SGST"}, false, false},
		{"within Maharashtra by GST code", nil, &pricing.Destination{Country: "IN", Region: "27", PostalCode: "411001"}, []string{"CGST", "SGST"}, false, false},
		{"Karnataka is interstate", nil, &pricing.Destination{Country: "IN", Region: "Karnataka", PostalCode: "560001"}, []string{"IGST"}, true, false},
		{"old spelling", nil, &pricing.Destination{Country: "IN", Region: "orissa", PostalCode: "751001"}, []string{"IGST"}, true, false},
		{"no address: estimated as intrastate", nil, nil, []string{"CGST", "SGST"}, false, true},
		{"within a union territory: UTGST", func(r *pricing.Rules) { r.Tax.Origin = "CH" },
			&pricing.Destination{Country: "IN", Region: "Chandigarh", PostalCode: "160017"}, []string{"CGST", "UTGST"}, false, false},
		{"a single VAT", func(r *pricing.Rules) { r.Tax.Scheme, r.Tax.Name = pricing.SchemeSingle, "VAT" },
			&pricing.Destination{Country: "IN", Region: "KA", PostalCode: "560001"}, []string{"VAT"}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := pricing.IndiaGST()
			if c.rules != nil {
				c.rules(&r)
			}
			res := price(t, pricing.Input{Rules: &r, Items: lines, Destination: c.dest})
			var got []string
			for _, x := range res.Totals.Taxes {
				got = append(got, x.Name)
			}
			if len(got) != len(c.names) {
				t.Fatalf("taxes %v, want %v", got, c.names)
			}
			for i := range got {
				if got[i] != c.names[i] {
					t.Fatalf("taxes %v, want %v", got, c.names)
				}
			}
			if res.Interstate != c.inter || res.Shipping.Estimated != c.estim {
				t.Fatalf("interstate %v estimated %v", res.Interstate, res.Shipping.Estimated)
			}
		})
	}
}

func TestShippingZones(t *testing.T) {
	cases := []struct {
		name       string
		pin        string
		price, qty int64
		zone       string
		fee        int64
		cod        bool
	}{
		{"Mumbai, small order", "400001", 399_00, 1, "maharashtra-goa", 49_00, true},
		{"Mumbai, free from ₹499", "400001", 499_00, 1, "maharashtra-goa", 0, true},
		{"Bengaluru", "560001", 899_00, 1, "rest-of-india", 79_00, true},
		{"Bengaluru, free from ₹999", "560001", 999_00, 1, "rest-of-india", 0, true},
		{"Guwahati: no COD", "781001", 1500_00, 1, "north-east-jk-islands", 149_00, false},
		{"Port Blair by the longer prefix", "744101", 2500_00, 1, "north-east-jk-islands", 0, false},
		{"COD capped at ₹50,000", "560001", 25_000_00, 3, "rest-of-india", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := price(t, pricing.Input{Items: []pricing.Item{item("a", c.price, c.qty)},
				Destination: &pricing.Destination{Country: "IN", Region: "KA", PostalCode: c.pin}})
			s := res.Shipping
			if s.Zone != c.zone || s.Fee.Amount != c.fee || s.CODAvailable != c.cod {
				t.Fatalf("zone %s fee %d cod %v", s.Zone, s.Fee.Amount, s.CODAvailable)
			}
			if c.fee > 0 && (s.Tax.Amount == 0 || s.Taxes[0].Name != "IGST") {
				t.Fatalf("shipping taxes %+v", s.Taxes)
			}
		})
	}
	empty := price(t, pricing.Input{})
	if empty.Totals.Grand.Amount != 0 || empty.Shipping.Fee.Amount != 0 {
		t.Fatalf("an empty cart costs %v", empty.Totals.Grand)
	}
}

// Shipping follows the goods: it bears the highest rate among the lines.
func TestShippingTaxFollowsGoods(t *testing.T) {
	res := price(t, pricing.Input{Items: []pricing.Item{item("a", 300_00, 1), item("b", 400_00, 1, "bags")},
		Destination: &pricing.Destination{Country: "IN", Region: "KA", PostalCode: "560001"}})
	if res.Shipping.Charged.Amount != 79_00 || res.Shipping.Taxes[0].RateBP != 1800 || res.Shipping.Tax.Amount != 1205 {
		t.Fatalf("shipping %+v", res.Shipping)
	}
}
