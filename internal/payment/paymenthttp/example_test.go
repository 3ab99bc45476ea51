package paymenthttp_test

import (
	"context"
	"log"
	"os"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/payment/paymentdb"
	"github.com/bazaarshop/bazaar/internal/payment/paymenthttp"
	"github.com/bazaarshop/bazaar/internal/payment/razorpay"
	"github.com/bazaarshop/bazaar/internal/payment/sandbox"
	"github.com/bazaarshop/bazaar/internal/payment/stripeprov"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// How the composition root puts the payment service together (compiled,
// not run). The process that runs payment serves its routes, webhooks and
// pages and runs the reconciler; others use paymenthttp.NewClient.
func Example_wiring() {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "./data", "payment")
	if err != nil {
		log.Fatal(err)
	}
	if err := paymentdb.Migrate(ctx, db); err != nil { // outbox + payment schema
		log.Fatal(err)
	}
	key, err := card.ParseKey(os.Getenv("BAZAAR_PAYMENT_CARD_KEY"))
	if err != nil { // embedded mode: a key kept in the data dir
		key, err = card.LoadOrCreateKeyFile("./data/payment-card.key")
	}
	if err != nil {
		log.Fatal(err)
	}
	providers := []payment.Provider{sandbox.New(sandbox.Options{BaseURL: "http://localhost:8080"})}
	if sk := os.Getenv("BAZAAR_STRIPE_SECRET_KEY"); sk != "" {
		p, err := stripeprov.New(stripeprov.Options{SecretKey: sk, WebhookSecret: os.Getenv("BAZAAR_STRIPE_WEBHOOK_SECRET"),
			APIBase: os.Getenv("BAZAAR_STRIPE_API_BASE")})
		if err != nil {
			log.Fatal(err)
		}
		providers = append([]payment.Provider{p}, providers...)
	}
	if id := os.Getenv("BAZAAR_RAZORPAY_KEY_ID"); id != "" {
		p, err := razorpay.New(razorpay.Options{KeyID: id, KeySecret: os.Getenv("BAZAAR_RAZORPAY_KEY_SECRET"),
			WebhookSecret: os.Getenv("BAZAAR_RAZORPAY_WEBHOOK_SECRET")})
		if err != nil {
			log.Fatal(err)
		}
		providers = append([]payment.Provider{p}, providers...)
	}
	core, err := payment.NewCore(paymentdb.New(db), payment.Options{Providers: providers, CardKey: key})
	if err != nil {
		log.Fatal(err)
	}
	rt := web.NewRouter(web.Options{Title: "Bazaar"})
	paymenthttp.Register(rt.API, core, paymenthttp.Options{})
	paymenthttp.RegisterWebhooks(rt, core)
	go func() { _ = core.RunReconciler(ctx) }()
	// Events: ensure payment.Stream and run an outbox relay on db.
}
