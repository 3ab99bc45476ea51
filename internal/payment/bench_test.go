package payment_test

import (
	"context"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// BenchmarkCreateConfirmCapture is one card payment with the sandbox,
// taken three ways: "sequential" creates the intent, confirms it
// (authorise) and captures it in three calls; "order" is the order
// worker's way, a create that confirms (manual capture) and a capture;
// "oneshot" creates with confirm and automatic capture. Each ends with a
// ledger entry and two events (authorized, captured). "parallel" runs 8
// payments at a time per core.
func BenchmarkCreateConfirmCapture(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", sqldbtest.OpenSQLite}, {"postgres", sqldbtest.OpenPostgres}} {
		b.Run(engine.name, func(b *testing.B) {
			e := paymenttest.NewEnv(b, engine.open(b), paymenttest.Config{})
			ctx := context.Background()
			m, err := e.Core.CreateMethod(paymenttest.Guest, payment.CreateMethodInput{Type: payment.MethodCard,
				Card: &payment.CardInput{Number: "4242424242424242", ExpMonth: 12, ExpYear: time.Now().Year() + 2}})
			if err != nil {
				b.Fatal(err)
			}
			in := func() payment.CreateIntentInput {
				return payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), Amount: money.MustNew(129900, "INR"),
					Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID}}
			}
			threeCalls := func() error {
				it, err := e.Core.CreateIntent(ctx, in())
				if err == nil {
					it, err = e.Core.ConfirmIntent(ctx, it.ID, payment.ConfirmIntentInput{})
				}
				if err == nil {
					it, err = e.Core.CaptureIntent(ctx, it.ID, payment.CaptureIntentInput{})
				}
				if err == nil && it.Status != payment.StatusCaptured {
					b.Fatalf("status = %s", it.Status)
				}
				return err
			}
			order := func() error {
				i := in()
				i.Confirm = true
				it, err := e.Core.CreateIntent(ctx, i)
				if err == nil && it.Status != payment.StatusAuthorized {
					b.Fatalf("status = %s", it.Status)
				}
				if err == nil {
					it, err = e.Core.CaptureIntent(ctx, it.ID, payment.CaptureIntentInput{})
				}
				if err == nil && it.Status != payment.StatusCaptured {
					b.Fatalf("status = %s", it.Status)
				}
				return err
			}
			oneShot := func() error {
				i := in()
				i.Confirm, i.CaptureMethod = true, payment.CaptureAutomatic
				it, err := e.Core.CreateIntent(ctx, i)
				if err == nil && it.Status != payment.StatusCaptured {
					b.Fatalf("status = %s", it.Status)
				}
				return err
			}
			for _, mode := range []struct {
				name     string
				fn       func() error
				parallel bool
			}{{"sequential", threeCalls, false}, {"parallel", threeCalls, true}, {"order", order, false}, {"order-parallel", order, true},
				{"oneshot", oneShot, false}, {"oneshot-parallel", oneShot, true}} {
				b.Run(mode.name, func(b *testing.B) {
					start := time.Now()
					if mode.parallel {
						b.SetParallelism(8)
						b.RunParallel(func(pb *testing.PB) {
							for pb.Next() {
								if err := mode.fn(); err != nil {
									b.Error(err)
									return
								}
							}
						})
					} else {
						for b.Loop() {
							if err := mode.fn(); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "payments/s")
				})
			}
			if r, err := e.Core.Ledger(ctx); err != nil || !r.OK {
				b.Fatalf("ledger after the benchmark: %+v %v", r, err)
			}
		})
	}
}
