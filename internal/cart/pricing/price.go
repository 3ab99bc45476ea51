package pricing

import (
	"cmp"
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// MaxQuantity bounds a line's quantity here; the cart's own limit is lower.
const MaxQuantity = 10_000

// ErrBadInput is returned for items pricing cannot price: a price in
// another currency, out of range, or a quantity out of range. The cart
// never builds such input; it is a bug when it happens.
var ErrBadInput = errors.New("pricing: bad input")

// Price prices in. Rounding, everywhere to the minor unit:
//   - a percentage discount is rounded down (it never exceeds its exact
//     value), then spread over the qualifying lines in proportion to what
//     is left of each, with money.Allocate, so the parts sum exactly;
//   - a line's tax is round-half-up of total × rate / (1 + rate), once per
//     line (not per unit), and the CGST/SGST halves split that amount with
//     CGST taking the odd paisa, so the halves always sum to the line's tax.
func Price(in Input) (Result, error) {
	if in.Rules == nil {
		return Result{}, fmt.Errorf("%w: no rules", ErrBadInput)
	}
	cur := in.Rules.Currency
	p := pricer{in: in, cur: cur}
	n := len(in.Items)
	p.sub = make([]int64, n)
	p.rem = make([]int64, n)
	p.disc = make([][]LineDiscount, n)
	for i, it := range in.Items {
		if it.UnitPrice.Currency != cur {
			return Result{}, fmt.Errorf("%w: line %s is priced in %q, not %s", ErrBadInput, it.ID, it.UnitPrice.Currency, cur)
		}
		if it.Quantity < 1 || it.Quantity > MaxQuantity || it.UnitPrice.Amount < 0 || it.UnitPrice.Amount > MaxAmount {
			return Result{}, fmt.Errorf("%w: line %s has quantity %d at %d", ErrBadInput, it.ID, it.Quantity, it.UnitPrice.Amount)
		}
		p.sub[i] = it.UnitPrice.Amount * it.Quantity
		p.rem[i] = p.sub[i]
	}
	if err := p.promotions(); err != nil {
		return Result{}, err
	}
	if err := p.shipping(); err != nil {
		return Result{}, err
	}
	return p.finish()
}

type pricer struct {
	in   Input
	cur  string
	sub  []int64 // unit price × quantity
	rem  []int64 // what is left of each line after the discounts so far
	disc [][]LineDiscount

	applied    []Applied
	notApplied []NotApplied
	freeShip   int // index in applied of the free-shipping promotion, or -1

	res Result
}

func (p *pricer) m(a int64) money.Money { return money.Money{Amount: a, Currency: p.cur} }

// promotions applies the candidates in priority order under the stacking
// rules: the first to apply decides; if it is exclusive nothing follows it,
// and an exclusive one never applies after another.
func (p *pricer) promotions() error {
	in := p.in
	p.freeShip = -1
	byID := map[string]bool{}
	codes := map[string]bool{}
	var cands []Promotion
	for _, c := range in.Codes {
		codes[c] = false
	}
	for _, pr := range in.Promotions {
		if byID[pr.ID] {
			continue
		}
		if !pr.Automatic() {
			if _, ok := codes[pr.Code]; !ok {
				continue
			}
			codes[pr.Code] = true
		}
		byID[pr.ID] = true
		if r := pr.Eligible(in.Now, in.Customer, in.CustomerUses[pr.ID]); r != "" {
			p.reject(pr, r, "")
			continue
		}
		cands = append(cands, pr)
	}
	for _, c := range in.Codes {
		if !codes[c] {
			p.notApplied = append(p.notApplied, NotApplied{Code: c, Reason: ReasonUnknown, Message: "no promotion has this code"})
		}
	}
	slices.SortFunc(cands, order)

	anyApplied, exclusive := false, false
	for _, pr := range cands {
		if exclusive || (pr.Stacking == StackExclusive && anyApplied) {
			p.reject(pr, ReasonNotCombinable, "")
			continue
		}
		ok, err := p.apply(pr)
		if err != nil {
			return err
		}
		if ok {
			anyApplied = true
			exclusive = pr.Stacking == StackExclusive
		}
	}
	return nil
}

func (p *pricer) reject(pr Promotion, r Reason, msg string) {
	if pr.Automatic() {
		return // the shopper never asked for it: nothing to explain
	}
	if msg == "" {
		msg = reasonMessage[r]
	}
	p.notApplied = append(p.notApplied, NotApplied{Code: pr.Code, PromotionID: pr.ID, Reason: r, Message: msg})
}

var reasonMessage = map[Reason]string{
	ReasonDisabled:         "this coupon is not active",
	ReasonNotStarted:       "this coupon is not valid yet",
	ReasonExpired:          "this coupon has expired",
	ReasonExhausted:        "this coupon has been used up",
	ReasonAlreadyUsed:      "you have already used this coupon",
	ReasonRequiresAccount:  "sign in to use this coupon",
	ReasonNoQualifyingItem: "nothing in the cart qualifies for this coupon",
	ReasonNotCombinable:    "this coupon cannot be combined with another promotion on the cart",
	ReasonNoDiscount:       "this coupon takes nothing off this cart",
}

// apply takes pr off the lines it targets, reporting whether it applied.
func (p *pricer) apply(pr Promotion) (bool, error) {
	var q []int
	var qualSub, base int64
	for i, it := range p.in.Items {
		if pr.Target.Empty() || pr.Target.Matches(it) {
			q = append(q, i)
			qualSub += p.sub[i]
			base += p.rem[i]
		}
	}
	if len(q) == 0 {
		p.reject(pr, ReasonNoQualifyingItem, "")
		return false, nil
	}
	if pr.MinSubtotal != nil && qualSub < pr.MinSubtotal.Amount {
		p.reject(pr, ReasonMinSubtotal, fmt.Sprintf("add %s more of the qualifying items to use this coupon", p.m(pr.MinSubtotal.Amount-qualSub).Display()))
		return false, nil
	}
	parts := make([]int64, len(q))
	switch pr.Kind {
	case KindPercentage, KindFixed:
		if base == 0 {
			break
		}
		var d int64
		if pr.Kind == KindPercentage {
			off, err := p.m(base).Percent(pr.PercentBP, money.Down)
			if err != nil {
				return false, err
			}
			d = off.Amount
			if pr.MaxDiscount != nil {
				d = min(d, pr.MaxDiscount.Amount)
			}
		} else {
			d = min(pr.Amount.Amount, base)
		}
		weights := make([]int64, len(q))
		for j, i := range q {
			weights[j] = p.rem[i]
		}
		shares, err := p.m(d).Allocate(weights...)
		if err != nil {
			return false, err
		}
		for j := range q {
			parts[j] = shares[j].Amount
		}
	case KindBuyXGetY:
		if err := p.buyXGetY(pr, q, parts); err != nil {
			return false, err
		}
	case KindFreeShipping:
		if p.freeShip >= 0 {
			p.reject(pr, ReasonNoDiscount, "shipping is already free")
			return false, nil
		}
		p.freeShip = len(p.applied)
		p.applied = append(p.applied, Applied{PromotionID: pr.ID, Name: pr.Name, Code: pr.Code, Kind: pr.Kind, Amount: p.m(0), FreeShipping: true})
		return true, nil
	}
	var total int64
	for _, d := range parts {
		total += d
	}
	if total == 0 {
		p.reject(pr, ReasonNoDiscount, "")
		return false, nil
	}
	for j, i := range q {
		if parts[j] == 0 {
			continue
		}
		p.rem[i] -= parts[j]
		p.disc[i] = append(p.disc[i], LineDiscount{PromotionID: pr.ID, Amount: p.m(parts[j])})
	}
	p.applied = append(p.applied, Applied{PromotionID: pr.ID, Name: pr.Name, Code: pr.Code, Kind: pr.Kind, Amount: p.m(total)})
	return true, nil
}

// buyXGetY discounts the cheapest units: of U qualifying units, ⌊U/(X+Y)⌋·Y
// get GetPercentBP off (rounded down per line), never more than is left of
// a line.
func (p *pricer) buyXGetY(pr Promotion, q []int, parts []int64) error {
	var units int64
	for _, i := range q {
		units += p.in.Items[i].Quantity
	}
	free := units / (pr.BuyQuantity + pr.GetQuantity) * pr.GetQuantity
	if free == 0 {
		return nil
	}
	idx := make([]int, len(q))
	for j := range idx {
		idx[j] = j
	}
	// Cheapest first; equal prices keep the cart's order.
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Compare(p.in.Items[q[a]].UnitPrice.Amount, p.in.Items[q[b]].UnitPrice.Amount)
	})
	for _, j := range idx {
		if free == 0 {
			break
		}
		it := p.in.Items[q[j]]
		n := min(free, it.Quantity)
		free -= n
		off, err := p.m(it.UnitPrice.Amount*n).Percent(pr.GetPercentBP, money.Down)
		if err != nil {
			return err
		}
		parts[j] = min(off.Amount, p.rem[q[j]])
	}
	return nil
}

// shipping prices delivery for the destination's zone.
func (p *pricer) shipping() error {
	rules := p.in.Rules
	s := Shipping{Estimated: p.in.Destination == nil}
	var z Zone
	if p.in.Destination != nil {
		z = rules.Shipping.ZoneFor(p.in.Destination.PostalCode)
	} else {
		z, _ = rules.Shipping.zone(rules.Shipping.DefaultZone)
	}
	s.Zone = z.Name
	var goods int64
	for _, r := range p.rem {
		goods += r
	}
	fee := z.Fee
	if len(p.in.Items) == 0 || (z.FreeOver > 0 && goods >= z.FreeOver) {
		fee = 0
	}
	if z.FreeOver > 0 {
		fo := p.m(z.FreeOver)
		s.FreeOver = &fo
	}
	var waived int64
	if p.freeShip >= 0 {
		waived = fee
		if waived == 0 {
			a := p.applied[p.freeShip]
			p.applied = slices.Delete(p.applied, p.freeShip, p.freeShip+1)
			p.freeShip = -1
			if a.Code != "" {
				p.notApplied = append(p.notApplied, NotApplied{Code: a.Code, PromotionID: a.PromotionID, Reason: ReasonNoDiscount, Message: "shipping is already free"})
			}
		} else {
			p.applied[p.freeShip].Amount = p.m(waived)
		}
	}
	s.Fee, s.Discount, s.Charged = p.m(fee), p.m(waived), p.m(fee-waived)
	s.CODAvailable = z.COD && (z.CODMax == 0 || goods+fee-waived <= z.CODMax)
	p.res.Shipping = s
	return nil
}

// finish computes the tax and the totals.
func (p *pricer) finish() (Result, error) {
	in, rules := p.in, p.in.Rules
	res := &p.res
	tx := taxer{rules: rules, cur: p.cur}
	if err := tx.place(in.Destination); err != nil {
		return Result{}, err
	}
	res.Interstate = tx.interstate
	res.Lines = make([]LineResult, len(in.Items))
	var subtotal, lineDisc, maxRate int64
	for i, it := range in.Items {
		rate := tx.rate(rules.Tax.ClassOf(it), in, p.rem[i], it.Quantity)
		maxRate = max(maxRate, rate)
		tax, parts, err := tx.tax(p.rem[i], rate)
		if err != nil {
			return Result{}, err
		}
		d := p.disc[i]
		if d == nil {
			d = []LineDiscount{}
		}
		res.Lines[i] = LineResult{
			ID: it.ID, Subtotal: p.m(p.sub[i]), Discount: p.m(p.sub[i] - p.rem[i]), Total: p.m(p.rem[i]),
			TaxRateBP: rate, Tax: tax, Taxes: parts, Discounts: d,
		}
		subtotal += p.sub[i]
		lineDisc += p.sub[i] - p.rem[i]
	}
	sh := &res.Shipping
	shipRate := maxRate
	if c := rules.Tax.ShippingClass; c != "" {
		shipRate = tx.rate(c, in, sh.Charged.Amount, 1)
	}
	var err error
	if sh.Tax, sh.Taxes, err = tx.tax(sh.Charged.Amount, shipRate); err != nil {
		return Result{}, err
	}
	res.Applied = nonNil(p.applied)
	// By code, so the answer does not depend on the order promotions were
	// loaded in; a code belongs to one promotion, so the order is total.
	slices.SortStableFunc(p.notApplied, func(a, b NotApplied) int { return cmp.Compare(a.Code, b.Code) })
	res.NotApplied = nonNil(p.notApplied)
	t := &res.Totals
	t.Subtotal = p.m(subtotal)
	t.Discount = p.m(lineDisc + sh.Discount.Amount)
	t.Discounts = res.Applied
	t.Shipping = sh.Fee
	t.Grand = p.m(subtotal - lineDisc + sh.Charged.Amount)
	t.Taxes = tx.sum(res.Lines, sh.Taxes)
	var taxTotal int64
	for _, x := range t.Taxes {
		taxTotal += x.Amount.Amount
	}
	t.Tax = p.m(taxTotal)
	return *res, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// mulLE reports a·b ≤ c·d for non-negative operands, in 128 bits.
func mulLE(a, b, c, d int64) bool {
	h1, l1 := bits.Mul64(uint64(a), uint64(b))
	h2, l2 := bits.Mul64(uint64(c), uint64(d))
	return h1 < h2 || h1 == h2 && l1 <= l2
}
