package paymenthttp

import (
	"io"
	"net/http"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// RegisterWebhooks serves the providers' webhooks at
// POST /api/v1/payments/webhooks/{provider} (the raw body is what the
// signature covers, so these are plain handlers, not huma operations) and
// the pages of providers that have them (the sandbox's 3-D Secure and bank
// pages). Only the process that runs the payment service mounts them.
func RegisterWebhooks(rt *web.Router, core *payment.Core) {
	rt.HandleFunc("POST "+pathWebhooks+"/{provider}", func(w http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		if err := core.HandleWebhook(r.Context(), r.PathValue("provider"), body, r.Header); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		_, err = w.Write([]byte(`{"received":true}` + "\n"))
		return err
	})
	for _, p := range core.Providers() {
		if pp, ok := p.(payment.PageProvider); ok {
			for pattern, h := range pp.Pages() {
				rt.Handle(pattern, h)
			}
		}
	}
}
