package pricing

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// taxer applies the tax rules for one destination.
type taxer struct {
	rules      *Rules
	cur        string
	interstate bool
	stateName  string // SGST, or UTGST in a union territory without a legislature
}

// place decides between the state taxes and IGST. Without a destination,
// or with a region the table does not know, the supply is taken to be
// within the origin's state: an estimate, flagged on the shipping quote.
func (t *taxer) place(d *Destination) error {
	tr := t.rules.Tax
	if tr.Scheme != SchemeGST {
		return nil
	}
	origin, ok := t.rules.Region(tr.Origin)
	if !ok {
		return fmt.Errorf("%w: origin region %q unknown", ErrBadInput, tr.Origin)
	}
	t.stateName = "SGST"
	if origin.UnionTerritory {
		t.stateName = "UTGST"
	}
	if d == nil {
		return nil
	}
	if dest, ok := t.rules.Region(d.Region); ok {
		t.interstate = dest.Code != origin.Code
	}
	return nil
}

// rate is the class's rate for a line of qty pieces worth total (tax
// included): the first band whose bound the taxable value per piece, at
// that band's own rate, does not exceed.
func (t *taxer) rate(class string, in Input, total, qty int64) int64 {
	bands := t.rules.Tax.schedule(class, in.Now)
	for _, b := range bands {
		// total / qty / (1 + r) ≤ UpTo  ⇔  total · 10000 ≤ UpTo · qty · (10000 + r)
		if b.UpTo == 0 || mulLE(total, money.BasisPoints, b.UpTo*qty, money.BasisPoints+b.RateBP) {
			return b.RateBP
		}
	}
	return bands[len(bands)-1].RateBP
}

// tax is the tax contained in amount at rate, and its itemisation.
func (t *taxer) tax(amount, rate int64) (money.Money, []TaxAmount, error) {
	m := money.Money{Amount: amount, Currency: t.cur}
	tax, err := m.InclusiveTax(rate, money.HalfUp)
	if err != nil {
		return money.Money{}, nil, err
	}
	if tax.Amount == 0 {
		return tax, []TaxAmount{}, nil
	}
	switch {
	case t.rules.Tax.Scheme == SchemeSingle:
		return tax, []TaxAmount{{Name: t.rules.Tax.Name, RateBP: rate, Amount: tax}}, nil
	case t.interstate:
		return tax, []TaxAmount{{Name: "IGST", RateBP: rate, Amount: tax}}, nil
	}
	halves, err := tax.Split(2)
	if err != nil {
		return money.Money{}, nil, err
	}
	return tax, []TaxAmount{
		{Name: "CGST", RateBP: rate - rate/2, Amount: halves[0]},
		{Name: t.stateName, RateBP: rate / 2, Amount: halves[1]},
	}, nil
}

// sum adds up the taxes of the lines and shipping by name and rate.
func (t *taxer) sum(lines []LineResult, shipping []TaxAmount) []TaxAmount {
	type key struct {
		name string
		rate int64
	}
	acc := map[key]int64{}
	add := func(xs []TaxAmount) {
		for _, x := range xs {
			acc[key{x.Name, x.RateBP}] += x.Amount.Amount
		}
	}
	for _, l := range lines {
		add(l.Taxes)
	}
	add(shipping)
	out := make([]TaxAmount, 0, len(acc))
	for k, v := range acc {
		out = append(out, TaxAmount{Name: k.name, RateBP: k.rate, Amount: money.Money{Amount: v, Currency: t.cur}})
	}
	slices.SortFunc(out, func(a, b TaxAmount) int {
		return cmp.Or(cmp.Compare(taxOrder(a.Name), taxOrder(b.Name)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.RateBP, b.RateBP))
	})
	return out
}

// taxOrder lists taxes as a GST invoice does: CGST, then SGST/UTGST, IGST.
func taxOrder(name string) int {
	switch name {
	case "CGST":
		return 0
	case "SGST", "UTGST":
		return 1
	case "IGST":
		return 2
	}
	return 3
}
