package payment_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// A property of the ledger: whatever sequence of captures, refunds and
// cancellations happens, with a share of provider answers lost on the way,
// once the reconciler has run every entry balances, the ledger matches the
// intents, and each intent's captured and refunded amounts are the
// provider's.
func TestLedgerProperty(t *testing.T) {
	seeds := uint64(3)
	if s := os.Getenv("PAYMENT_LEDGER_SEEDS"); s != "" {
		seeds, _ = strconv.ParseUint(s, 10, 64)
	}
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		for seed := uint64(1); seed <= seeds; seed++ {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				if seed > 1 {
					if db.Dialect() == sqldb.Postgres {
						db = sqldbtest.OpenPostgres(t)
					} else {
						db = sqldbtest.OpenSQLite(t)
					}
				}
				ledgerProperty(t, paymenttest.NewEnv(t, db, paymenttest.Config{Flaky: true}), seed)
			})
		}
	})
}

func ledgerProperty(t *testing.T, e *paymenttest.Env, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 42))
	svc := paymenttest.Service
	e.Flaky.Randomly(0.15, seed)
	currencies := []string{"INR", "USD"}
	var intents []payment.Intent
	for i := 0; i < 12; i++ {
		m, err := e.Svc.CreateMethod(paymenttest.Guest, payment.CreateMethodInput{Type: payment.MethodCard,
			Card: &payment.CardInput{Number: "4242424242424242", ExpMonth: 12, ExpYear: time.Now().Year() + 1}})
		if err != nil {
			t.Fatal(err)
		}
		it, err := e.Svc.CreateIntent(svc, payment.CreateIntentInput{
			IdempotencyKey: ids.New(), OrderID: ids.New(), Amount: money.MustNew(1+rng.Int64N(100000), currencies[i%2]),
			Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID}, Confirm: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		intents = append(intents, it)
	}
	allowed := func(err error) bool {
		for _, ok := range []error{payment.ErrProviderTimeout, payment.ErrIllegalTransition, payment.ErrRefundExceedsCaptured,
			payment.ErrCaptureInProgress, payment.ErrCaptureExceedsAuthorized, payment.ErrProviderRejected} {
			if errors.Is(err, ok) {
				return true
			}
		}
		return err == nil
	}
	for step := 0; step < 120; step++ {
		it := intents[rng.IntN(len(intents))]
		cur := it.Amount.Currency
		var err error
		switch op := rng.IntN(10); {
		case op < 1:
			_, err = e.Svc.ConfirmIntent(svc, it.ID, payment.ConfirmIntentInput{})
		case op < 4:
			amt := money.Money{}
			if rng.IntN(2) == 0 {
				amt = money.MustNew(1+rng.Int64N(it.Amount.Amount), cur)
			}
			_, err = e.Svc.CaptureIntent(svc, it.ID, payment.CaptureIntentInput{Amount: amt})
		case op < 9:
			amt := money.Money{}
			if rng.IntN(3) > 0 {
				amt = money.MustNew(1+rng.Int64N(it.Amount.Amount/2+1), cur)
			}
			_, err = e.Svc.RefundIntent(svc, it.ID, payment.RefundIntentInput{IdempotencyKey: fmt.Sprint("r", rng.IntN(20)), Amount: amt})
			if errors.Is(err, payment.ErrKeyReused) {
				err = nil // a key reused with another amount: refused, as it must be
			}
		default:
			_, err = e.Svc.CancelIntent(svc, it.ID, payment.CancelIntentInput{})
		}
		if !allowed(err) {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	if e.Flaky.Lost() == 0 {
		t.Fatal("no answer was lost: the property was not tested under failure")
	}
	// The network heals; the reconciler settles what is still open.
	e.Flaky.Randomly(0, seed)
	for i := 0; i < 3; i++ {
		e.Clock.Advance(2 * time.Minute)
		if rep, err := e.Svc.Reconcile(svc); err != nil || len(rep.Errors) > 0 {
			t.Fatalf("reconcile = %+v, %v", rep, err)
		}
	}
	r := paymenttest.LedgerOK(t, e)
	var captured, refunded int64
	var withCapture, withRefund int
	for _, it := range intents {
		got, err := e.Svc.GetIntent(svc, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		pp, _ := e.Sandbox.Payment(it.ID)
		if got.AmountCaptured.Amount != pp.AmountCaptured || got.AmountRefunded.Amount != pp.AmountRefunded {
			t.Fatalf("intent %s (%s): Bazaar says captured %d refunded %d, the provider %d and %d",
				it.ID, got.Status, got.AmountCaptured.Amount, got.AmountRefunded.Amount, pp.AmountCaptured, pp.AmountRefunded)
		}
		if got.Status.Open() {
			t.Fatalf("intent %s still %s after reconciling", it.ID, got.Status)
		}
		if got.AmountCaptured.Amount > 0 {
			withCapture++
		}
		if got.AmountRefunded.Amount > 0 {
			withRefund++
		}
		if got.Amount.Currency == "INR" {
			captured += got.AmountCaptured.Amount
			refunded += got.AmountRefunded.Amount
		}
	}
	if withCapture == 0 || withRefund == 0 {
		t.Fatalf("the sequence captured %d and refunded %d intents: too little happened", withCapture, withRefund)
	}
	for _, c := range r.Currencies {
		if c.Currency == "INR" && (c.Captured != captured || c.Refunded != refunded) {
			t.Fatalf("ledger INR %+v, intents captured %d refunded %d", c, captured, refunded)
		}
	}
}
