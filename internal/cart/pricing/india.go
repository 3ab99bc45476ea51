package pricing

import (
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/india"
)

// ist is India Standard Time; GST rate changes take effect at midnight IST.
var ist = time.FixedZone("IST", 5*3600+1800)

// GSTReform2025 is when GST 2.0 took effect (56th GST Council): apparel and
// footwear up to ₹2,500 a piece at 5%, above it 18%.
var GSTReform2025 = time.Date(2025, 9, 22, 0, 0, 0, 0, ist)

// IndiaGST returns the default rules: Indian GST on apparel and footwear
// shipped from a warehouse in Maharashtra, and delivery by PIN-code zone.
//
// Tax classes (rates in basis points; "up to" is the taxable value per
// piece or pair, after discounts, tax excluded):
//
//	class     from         up to ₹1,000   above      up to ₹2,500   above
//	apparel   2017-07-01   5%             12%
//	apparel   2025-09-22                             5%             18%
//	footwear  2022-01-01   12%            18%
//	footwear  2025-09-22                             5%             18%
//	standard  2017-07-01   18% (bags, belts, watches, eyewear, jewellery, fragrance)
//
// HSN chapters 61, 62 and 63 are apparel and 64 footwear; without an HSN
// code the category decides (footwear, shoes, sandals… are footwear; bags,
// belts, watches… standard), and anything else is apparel.
//
// Shipping zones (fees tax-inclusive):
//
//	zone                    PIN prefixes                  fee   free from   COD
//	maharashtra-goa         40–44                         ₹49   ₹499        up to ₹50,000
//	north-east-jk-islands   18, 19, 78, 79, 737, 744,     ₹149  ₹1,999      no
//	                        68255 (Lakshadweep)
//	rest-of-india           everything else               ₹79   ₹999        up to ₹50,000
func IndiaGST() Rules {
	return Rules{
		Currency: "INR",
		Tax: TaxRules{
			Scheme:  SchemeGST,
			Origin:  "MH",
			Regions: IndiaRegions(),
			Classes: map[string]TaxClass{
				"apparel": {Schedules: []Schedule{
					{From: time.Date(2017, 7, 1, 0, 0, 0, 0, ist), Bands: []Band{{UpTo: 1_000_00, RateBP: 500}, {RateBP: 1200}}},
					{From: GSTReform2025, Bands: []Band{{UpTo: 2_500_00, RateBP: 500}, {RateBP: 1800}}},
				}},
				"footwear": {Schedules: []Schedule{
					{From: time.Date(2022, 1, 1, 0, 0, 0, 0, ist), Bands: []Band{{UpTo: 1_000_00, RateBP: 1200}, {RateBP: 1800}}},
					{From: GSTReform2025, Bands: []Band{{UpTo: 2_500_00, RateBP: 500}, {RateBP: 1800}}},
				}},
				"standard": {Schedules: []Schedule{
					{From: time.Date(2017, 7, 1, 0, 0, 0, 0, ist), Bands: []Band{{RateBP: 1800}}},
				}},
			},
			DefaultClass: "apparel",
			HSNClasses:   map[string]string{"61": "apparel", "62": "apparel", "63": "apparel", "64": "footwear"},
			CategoryClasses: map[string]string{
				"footwear": "footwear", "shoes": "footwear", "sneakers": "footwear", "sandals": "footwear",
				"heels": "footwear", "flats": "footwear", "slippers": "footwear", "boots": "footwear",
				"juttis": "footwear", "kolhapuris": "footwear",
				"bags": "standard", "handbags": "standard", "wallets": "standard", "belts": "standard",
				"watches": "standard", "sunglasses": "standard", "eyewear": "standard",
				"jewellery": "standard", "fragrances": "standard",
			},
		},
		Shipping: ShippingRules{
			Countries: []string{"IN"},
			Zones: []Zone{
				{Name: "maharashtra-goa", PostalPrefixes: []string{"40", "41", "42", "43", "44"},
					Fee: 49_00, FreeOver: 499_00, COD: true, CODMax: 50_000_00},
				{Name: "north-east-jk-islands", PostalPrefixes: []string{"18", "19", "78", "79", "737", "744", "68255"},
					Fee: 149_00, FreeOver: 1_999_00},
				{Name: "rest-of-india", Fee: 79_00, FreeOver: 999_00, COD: true, CODMax: 50_000_00},
			},
			DefaultZone: "rest-of-india",
		},
	}
}

// IndiaRegions lists India's states and union territories by the codes
// Indian addresses use, with their names, older spellings and GST state
// codes as aliases (the table is internal/platform/india's, which also
// knows their PIN codes).
func IndiaRegions() []Region {
	states := india.States()
	out := make([]Region, len(states))
	for i, s := range states {
		out[i] = Region{Code: s.Code, Name: s.Name, Aliases: s.Aliases, UnionTerritory: s.UnionTerritory}
	}
	return out
}
