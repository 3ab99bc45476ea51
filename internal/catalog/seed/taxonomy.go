package seed

// leaf is a category products are generated in, with everything that
// makes its products look like what a shopper expects there.
type leaf struct {
	slug, name, parent string
	code               string   // SKU prefix
	nouns              []string // what the product is called
	fabrics            []string // "" for none
	styles             []string // the adjective in front
	sizes              []string // the size run, smallest first
	minSizes           int      // how many sizes a product comes in, at least
	price              [2]int64 // rupees, low and high
	weight             [2]int64 // grams
	picture            string   // placeholder kind
	attrs              map[string][]string
}

var (
	apparel  = []string{"XS", "S", "M", "L", "XL", "XXL"}
	waist    = []string{"26", "28", "30", "32", "34", "36"}
	shoes    = []string{"36", "37", "38", "39", "40", "41"}
	freeSize = []string{"Free Size"}
	oneSize  = []string{"One Size"}
)

// roots are the top of the tree, under Women.
var roots = []struct{ slug, name string }{
	{"ethnic-wear", "Ethnic Wear"},
	{"western-wear", "Western Wear"},
	{"footwear", "Footwear"},
	{"bags", "Bags"},
	{"jewellery", "Jewellery"},
}

var occasions = []string{"Casual", "Festive", "Wedding", "Office", "Party", "Everyday"}

var leaves = []leaf{
	{slug: "kurtas", name: "Kurtas & Kurtis", parent: "ethnic-wear", code: "KRT",
		nouns:   []string{"Kurta", "Kurti", "Anarkali Kurta", "A-Line Kurta", "Straight Kurta", "Kaftan Kurta"},
		fabrics: []string{"Cotton", "Rayon", "Silk", "Georgette", "Chanderi", "Linen", "Khadi"},
		styles:  []string{"Embroidered", "Block Print", "Chikankari", "Printed", "Solid", "Mirror Work", "Bandhani", "Ikat"},
		sizes:   apparel, minSizes: 3, price: [2]int64{499, 4999}, weight: [2]int64{200, 450}, picture: "kurta",
		attrs: map[string][]string{"fit": {"Straight", "A-Line", "Flared", "Relaxed"}, "sleeve": {"Three-Quarter", "Full", "Short", "Sleeveless"}}},
	{slug: "sarees", name: "Sarees", parent: "ethnic-wear", code: "SAR",
		nouns:   []string{"Saree"},
		fabrics: []string{"Banarasi Silk", "Kanjivaram Silk", "Chiffon", "Georgette", "Cotton", "Organza", "Crêpe", "Linen"},
		styles:  []string{"Zari Woven", "Printed", "Handloom", "Embellished", "Bandhani", "Leheriya", "Sequinned", "Solid"},
		sizes:   freeSize, minSizes: 1, price: [2]int64{999, 24999}, weight: [2]int64{450, 900}, picture: "saree",
		attrs: map[string][]string{"work": {"Zari", "Sequin", "Embroidery", "Print", "Weave"}}},
	{slug: "lehengas", name: "Lehengas", parent: "ethnic-wear", code: "LEH",
		nouns: []string{"Lehenga Choli", "Lehenga Set"}, fabrics: []string{"Silk", "Net", "Velvet", "Georgette"},
		styles: []string{"Embroidered", "Mirror Work", "Sequinned", "Gota Patti", "Floral"},
		sizes:  apparel, minSizes: 3, price: [2]int64{2999, 49999}, weight: [2]int64{900, 2500}, picture: "dress",
		attrs: map[string][]string{"work": {"Zardozi", "Gota", "Sequin", "Thread"}}},
	{slug: "salwar-suits", name: "Salwar Suits", parent: "ethnic-wear", code: "SLW",
		nouns: []string{"Salwar Suit", "Kurta Set", "Palazzo Set", "Sharara Set"}, fabrics: []string{"Cotton", "Rayon", "Silk", "Muslin"},
		styles: []string{"Printed", "Embroidered", "Block Print", "Solid"},
		sizes:  apparel, minSizes: 3, price: [2]int64{999, 8999}, weight: [2]int64{400, 900}, picture: "kurta"},
	{slug: "dupattas", name: "Dupattas", parent: "ethnic-wear", code: "DUP",
		nouns: []string{"Dupatta", "Stole"}, fabrics: []string{"Chiffon", "Silk", "Cotton", "Organza", "Pashmina"},
		styles: []string{"Phulkari", "Bandhani", "Zari Border", "Printed"},
		sizes:  freeSize, minSizes: 1, price: [2]int64{399, 5999}, weight: [2]int64{100, 300}, picture: "saree"},
	{slug: "dresses", name: "Dresses", parent: "western-wear", code: "DRS",
		nouns:   []string{"Maxi Dress", "Midi Dress", "Shirt Dress", "Wrap Dress", "Bodycon Dress", "Shift Dress"},
		fabrics: []string{"Viscose", "Cotton", "Linen", "Crêpe", "Satin", "Denim"},
		styles:  []string{"Floral", "Tiered", "Smocked", "Polka Dot", "Striped", "Solid", "Ruffled"},
		sizes:   apparel, minSizes: 3, price: [2]int64{799, 6999}, weight: [2]int64{200, 500}, picture: "dress",
		attrs: map[string][]string{"fit": {"Regular", "Relaxed", "Fitted"}, "length": {"Mini", "Midi", "Maxi"}}},
	{slug: "tops", name: "Tops", parent: "western-wear", code: "TOP",
		nouns: []string{"Top", "Crop Top", "Shirt", "Blouse", "T-Shirt", "Tunic"}, fabrics: []string{"Cotton", "Rayon", "Linen", "Satin", "Jersey"},
		styles: []string{"Ribbed", "Printed", "Embroidered", "Peplum", "Solid", "Striped"},
		sizes:  apparel, minSizes: 3, price: [2]int64{399, 2999}, weight: [2]int64{120, 300}, picture: "top",
		attrs: map[string][]string{"sleeve": {"Short", "Full", "Sleeveless", "Puff"}}},
	{slug: "jeans", name: "Jeans", parent: "western-wear", code: "JNS",
		nouns: []string{"Jeans"}, fabrics: []string{"Denim", "Stretch Denim"},
		styles: []string{"Skinny Fit", "Straight Fit", "Wide Leg", "Mom Fit", "Bootcut", "High-Rise", "Distressed"},
		sizes:  waist, minSizes: 4, price: [2]int64{999, 4999}, weight: [2]int64{400, 700}, picture: "jeans",
		attrs: map[string][]string{"rise": {"High", "Mid", "Low"}}},
	{slug: "skirts", name: "Skirts", parent: "western-wear", code: "SKT",
		nouns: []string{"Skirt", "Midi Skirt", "Pleated Skirt"}, fabrics: []string{"Cotton", "Satin", "Denim", "Georgette"},
		styles: []string{"Floral", "Pleated", "Tiered", "Solid", "Printed"},
		sizes:  apparel, minSizes: 3, price: [2]int64{599, 3499}, weight: [2]int64{200, 400}, picture: "dress"},
	{slug: "heels", name: "Heels", parent: "footwear", code: "HEL",
		nouns: []string{"Block Heels", "Stilettos", "Kitten Heels", "Wedges"}, fabrics: []string{"", "Faux Leather", "Suede"},
		styles: []string{"Embellished", "Strappy", "Pointed Toe", "Solid"},
		sizes:  shoes, minSizes: 4, price: [2]int64{999, 5999}, weight: [2]int64{500, 900}, picture: "shoe"},
	{slug: "flats", name: "Flats & Juttis", parent: "footwear", code: "FLT",
		nouns: []string{"Juttis", "Mojaris", "Ballet Flats", "Kolhapuris", "Sandals"}, fabrics: []string{"", "Leather", "Velvet"},
		styles: []string{"Embroidered", "Beaded", "Handcrafted", "Solid", "Printed"},
		sizes:  shoes, minSizes: 4, price: [2]int64{499, 2999}, weight: [2]int64{300, 600}, picture: "shoe"},
	{slug: "sneakers", name: "Sneakers", parent: "footwear", code: "SNK",
		nouns: []string{"Sneakers", "Running Shoes", "Slip-Ons"}, fabrics: []string{"", "Canvas", "Mesh"},
		styles: []string{"Chunky", "Classic", "Lightweight", "Colourblock"},
		sizes:  shoes, minSizes: 4, price: [2]int64{1299, 7999}, weight: [2]int64{600, 1000}, picture: "shoe"},
	{slug: "handbags", name: "Handbags", parent: "bags", code: "HBG",
		nouns: []string{"Handbag", "Tote Bag", "Sling Bag", "Shoulder Bag", "Potli"}, fabrics: []string{"Faux Leather", "Leather", "Jute", "Canvas"},
		styles: []string{"Structured", "Quilted", "Embroidered", "Woven", "Solid"},
		sizes:  oneSize, minSizes: 1, price: [2]int64{699, 9999}, weight: [2]int64{300, 1200}, picture: "bag"},
	{slug: "clutches", name: "Clutches", parent: "bags", code: "CLT",
		nouns: []string{"Clutch", "Box Clutch", "Envelope Clutch"}, fabrics: []string{"Velvet", "Satin", "Brocade"},
		styles: []string{"Embellished", "Beaded", "Sequinned", "Pearl"},
		sizes:  oneSize, minSizes: 1, price: [2]int64{799, 4999}, weight: [2]int64{150, 400}, picture: "bag"},
	{slug: "earrings", name: "Earrings", parent: "jewellery", code: "EAR",
		nouns: []string{"Jhumkas", "Chandbalis", "Studs", "Hoops", "Drop Earrings"}, fabrics: []string{"", "Kundan", "Oxidised Silver", "Gold-Plated"},
		styles: []string{"Temple", "Pearl", "Meenakari", "Polki", "Classic"},
		sizes:  oneSize, minSizes: 1, price: [2]int64{299, 6999}, weight: [2]int64{20, 80}, picture: "jewel"},
	{slug: "necklaces", name: "Necklaces", parent: "jewellery", code: "NCK",
		nouns: []string{"Necklace Set", "Choker", "Pendant", "Mangalsutra"}, fabrics: []string{"", "Kundan", "Gold-Plated", "Silver"},
		styles: []string{"Temple", "Pearl", "Layered", "Polki", "Minimal"},
		sizes:  oneSize, minSizes: 1, price: [2]int64{499, 14999}, weight: [2]int64{40, 200}, picture: "jewel"},
	{slug: "bangles", name: "Bangles", parent: "jewellery", code: "BNG",
		nouns: []string{"Bangles", "Kada", "Bracelet"}, fabrics: []string{"", "Glass", "Brass", "Gold-Plated"},
		styles: []string{"Lac", "Stone-Studded", "Enamelled", "Classic"},
		sizes:  []string{"2.4", "2.6", "2.8"}, minSizes: 2, price: [2]int64{199, 3999}, weight: [2]int64{50, 200}, picture: "jewel"},
}

var colours = []string{
	"Red", "Maroon", "Rani Pink", "Pink", "Peach", "Orange", "Mustard", "Yellow", "Green", "Olive", "Mint", "Teal",
	"Blue", "Navy Blue", "Purple", "Lavender", "White", "Off White", "Ivory", "Beige", "Brown", "Grey", "Black",
	"Gold", "Silver", "Multicolour",
}

// brands are made up: a demo shop should not sell anyone's trademark.
var brands = []string{
	"Rangmanch", "Kesariya", "Noor & Co", "Zariya", "Chandni", "Mulmul Tales", "Indigo Lane", "Saanjh", "Ahaana",
	"Tara Loom", "Urban Kali", "Vayu", "Mira Street", "Bombay Edit", "Koel", "Nitara", "Ojas", "Paakhi", "Riwaaz",
	"Suta Stories", "Gulmohar", "Jharokha", "Lakshmi Weaves", "Aangan", "Pehnava", "Rooh", "Dhaaga", "Ekta Studio",
	"Champa", "Neel Kamal",
}

var details = []string{
	"delicate thread work at the neckline", "a contrast border", "hand-block printed motifs", "a scalloped hem",
	"tassel ties", "pin-tucks along the yoke", "a subtle sheen", "side pockets", "a flattering silhouette",
	"fine zari detailing", "mirror work accents", "a soft lining", "adjustable straps", "a cushioned footbed",
	"antique gold finish", "a magnetic clasp",
}

var closings = []string{
	"Pair it with juttis for a festive look.", "Easy to dress up or down.", "Made in small batches by artisans.",
	"Gentle hand wash recommended.", "A wardrobe favourite for every season.", "Perfect for the wedding season.",
	"Breathable and comfortable all day.", "Style it with statement earrings.",
}
