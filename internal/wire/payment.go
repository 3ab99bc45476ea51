package wire

import (
	"context"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/payment/paymentdb"
	"github.com/bazaarshop/bazaar/internal/payment/paymenthttp"
	"github.com/bazaarshop/bazaar/internal/payment/razorpay"
	"github.com/bazaarshop/bazaar/internal/payment/sandbox"
	"github.com/bazaarshop/bazaar/internal/payment/stripeprov"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

var paymentModule = module{
	name:       "payment",
	migrations: []sqldb.Migrations{paymentdb.Migrations, outbox.Migrations},
	build:      buildPayment,
}

func buildPayment(ctx context.Context, a *App, db *sqldb.DB) error {
	if _, err := a.startOutbox(ctx, "payment", db, payment.Stream); err != nil {
		return err
	}
	rawKey, err := a.devSecret(a.cfg.PaymentCardKey, "payment-card-key")
	if err != nil {
		return err
	}
	if rawKey == "" {
		return fmt.Errorf("BAZAAR_PAYMENT_CARD_KEY is required in production: it seals card numbers (openssl rand -hex 32)")
	}
	key, err := card.ParseKey(rawKey)
	if err != nil {
		return fmt.Errorf("BAZAAR_PAYMENT_CARD_KEY: %w", err)
	}
	providers, err := a.paymentProviders()
	if err != nil {
		return err
	}
	core, err := payment.NewCore(paymentdb.New(db), payment.Options{
		Providers: providers, CardKey: key, Logger: a.log.With("service", "payment"),
	})
	if err != nil {
		return err
	}
	paymenthttp.Register(a.Router.API, core, paymenthttp.Options{})
	paymenthttp.RegisterWebhooks(a.Router, core)
	a.addWorker("payment-reconciler", core.RunReconciler)
	a.Payment = core
	return nil
}

// paymentProviders are the configured providers in order of preference:
// Razorpay and Stripe when their keys are set, then the sandbox where it is on.
func (a *App) paymentProviders() ([]payment.Provider, error) {
	var ps []payment.Provider
	if a.cfg.RazorpayKeyID != "" {
		p, err := razorpay.New(razorpay.Options{KeyID: a.cfg.RazorpayKeyID, KeySecret: a.cfg.RazorpayKeySecret, WebhookSecret: a.cfg.RazorpayWebhookSecret})
		if err != nil {
			return nil, fmt.Errorf("razorpay: %w", err)
		}
		ps = append(ps, p)
	}
	if a.cfg.StripeSecretKey != "" {
		p, err := stripeprov.New(stripeprov.Options{SecretKey: a.cfg.StripeSecretKey, WebhookSecret: a.cfg.StripeWebhookSecret, APIBase: a.cfg.StripeAPIBase})
		if err != nil {
			return nil, fmt.Errorf("stripe: %w", err)
		}
		ps = append(ps, p)
	}
	if a.cfg.PaymentSandbox == "on" || (a.cfg.PaymentSandbox == "auto" && a.cfg.Embedded()) {
		ps = append(ps, sandbox.New(sandbox.Options{BaseURL: a.cfg.PublicURL}))
	}
	if len(ps) == 0 {
		a.log.Warn("no payment provider configured: only cash on delivery is accepted")
	}
	return ps, nil
}

// paymentService is payment in this process, or a client of the process
// that runs it.
func (a *App) paymentService() (payment.Service, error) {
	if a.Payment != nil {
		return a.Payment, nil
	}
	url, err := a.remoteURL("payment")
	if err != nil {
		return nil, err
	}
	c := paymenthttp.NewClient(url)
	a.sign(c.Client)
	return c, nil
}
