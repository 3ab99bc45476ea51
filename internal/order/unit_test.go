package order

import (
	"strconv"
	"strings"
	"testing"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

func TestStateMachine(t *testing.T) {
	legal := [][2]Status{
		{StatusPending, StatusAwaitingPayment}, {StatusAwaitingPayment, StatusPaid},
		{StatusAwaitingPayment, StatusConfirmed}, {StatusPaid, StatusPacked}, {StatusConfirmed, StatusPacked},
		{StatusPacked, StatusShipped}, {StatusShipped, StatusDelivered}, {StatusDelivered, StatusReturnRequested},
		{StatusReturnRequested, StatusReturnApproved}, {StatusReturnApproved, StatusReturned},
		{StatusReturned, StatusRefunded}, {StatusAwaitingPayment, StatusExpired}, {StatusPaid, StatusCancelled},
	}
	for _, m := range legal {
		if !CanMove(m[0], m[1]) {
			t.Errorf("%s → %s refused", m[0], m[1])
		}
	}
	illegalMoves := [][2]Status{
		{StatusPending, StatusPaid}, {StatusShipped, StatusCancelled}, {StatusCancelled, StatusPaid},
		{StatusPaymentFailed, StatusAwaitingPayment}, {StatusExpired, StatusPaid}, {StatusPaid, StatusPaid},
		{StatusDelivered, StatusShipped}, {StatusReturnRequested, StatusRefunded},
	}
	for _, m := range illegalMoves {
		if CanMove(m[0], m[1]) {
			t.Errorf("%s → %s allowed", m[0], m[1])
		}
	}
	// Every status a shopper waits on leads somewhere, and the final
	// statuses of checkout lead nowhere.
	for _, s := range Statuses {
		if !s.Settled() && len(next[s]) == 0 {
			t.Errorf("%s is unsettled and has no way out", s)
		}
	}
	for _, s := range []Status{StatusCancelled, StatusPaymentFailed, StatusExpired} {
		if len(next[s]) != 0 {
			t.Errorf("%s is final but may move to %v", s, next[s])
		}
	}
	if err := illegal(StatusShipped, StatusCancelled); !strings.Contains(err.Error(), "shipped to cancelled") {
		t.Errorf("illegal: %v", err)
	}
}

func TestReturnValueIsProRataAndExactForWholeLines(t *testing.T) {
	inr := func(a int64) money.Money { return money.Money{Amount: a, Currency: "INR"} }
	o := &Order{Currency: "INR", Lines: []Line{
		{SKU: "A", Quantity: 3, Total: inr(1000)}, // 333.33 each: the last unit takes the remainder
		{SKU: "B", Quantity: 1, Total: inr(500)},
	}}
	got, err := returnValue(o, []ReturnLine{{SKU: "A", Quantity: 1}})
	if err != nil || got.Amount != 333 {
		t.Fatalf("one of three: %v %v", got, err)
	}
	o.Lines[0].Returned = 1
	got, err = returnValue(o, []ReturnLine{{SKU: "A", Quantity: 2}, {SKU: "B", Quantity: 1}})
	if err != nil || got.Amount != 667+500 {
		t.Fatalf("the rest: %v %v", got, err)
	}
	for _, bad := range [][]ReturnLine{
		{{SKU: "A", Quantity: 3}}, // one is back already
		{{SKU: "C", Quantity: 1}},
		{{SKU: "B", Quantity: 0}},
		{{SKU: "B", Quantity: 1}, {SKU: "B", Quantity: 1}},
	} {
		if _, err := returnValue(o, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestCheckoutValidation(t *testing.T) {
	c := &Core{opts: Options{Carts: nil}.withDefaults()}
	if err := c.validateCheckout(t.Context(), &CheckoutInput{}); err == nil || !strings.Contains(err.Error(), "does not take orders") {
		t.Errorf("a Core without carts took an order: %v", err)
	}
	var bad []string
	checkAddress("a", cart.Address{Name: "A", Line1: "1", City: "X", State: "MH", PostalCode: "012345"}, func(f, _ string) { bad = append(bad, f) })
	if len(bad) != 1 || bad[0] != "a.postal_code" {
		t.Errorf("PIN starting 0: %v", bad)
	}
	bad = nil
	checkAddress("a", cart.Address{}, func(f, _ string) { bad = append(bad, f) })
	if len(bad) != 5 {
		t.Errorf("empty address: %v", bad)
	}
}

func TestNumbersAndKeys(t *testing.T) {
	a, b := numberOf("01a210b5-62bf-7365-8c13-2d6068fa3f8d"), numberOf("01a210b5-62bf-7365-8c13-2d6068fa3f8e")
	if a == b || len(a) != len("BZ-XXXXX-XXXXX") || !strings.HasPrefix(a, "BZ-") {
		t.Errorf("numbers %s %s", a, b)
	}
	if keyOf("user:1", "k") == keyOf("user:2", "k") {
		t.Error("two callers' keys collide")
	}
	r := "01a210b5-62bf-7365-8c13-2d6068fa3f8d"
	if x := exchangeOrderID(r); x == r || x != exchangeOrderID(r) || ids.Valid(x) != nil {
		t.Errorf("exchange id %s of %s", x, r)
	}
}

func TestPastPaymentForgetsOldestGeneration(t *testing.T) {
	var p pastPayment
	p.add("first")
	for i := range pastPaymentSize {
		p.add(strconv.Itoa(i))
	}
	if !p.has("first") || !p.has("0") {
		t.Fatal("the previous generation is forgotten too soon")
	}
	for i := range pastPaymentSize {
		p.add("x" + strconv.Itoa(i))
	}
	if p.has("first") {
		t.Fatal("memory is not bounded: the oldest generation is kept")
	}
	if !p.has("x0") || p.has("never") {
		t.Fatal("lookup is wrong")
	}
}
