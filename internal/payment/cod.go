package payment

import (
	"context"
	"net/http"
	"time"
)

const codName = "cod"

// cod is cash on delivery as a provider: nothing leaves Bazaar. Confirming
// authorises at once (the order may ship); capturing records the cash the
// courier collected; a refund is paid out by the merchant by hand.
type cod struct{}

func (cod) Name() string                         { return codName }
func (cod) Supports(m MethodType, _ string) bool { return m == MethodCOD }

func (cod) Authorize(_ context.Context, r AuthorizeRequest) (ProviderPayment, error) {
	return ProviderPayment{Ref: "cod_" + r.IntentID, Status: StatusAuthorized, AmountCapturable: r.Amount.Amount}, nil
}

func (cod) Capture(_ context.Context, r CaptureRequest) (ProviderPayment, error) {
	return ProviderPayment{Ref: r.Ref, Status: StatusCaptured, AmountCaptured: r.Amount.Amount}, nil
}

func (cod) Cancel(_ context.Context, r CancelRequest) (ProviderPayment, error) {
	return ProviderPayment{Ref: r.Ref, Status: StatusCancelled}, nil
}

func (cod) Refund(_ context.Context, r RefundRequest) (ProviderRefund, error) {
	return ProviderRefund{Ref: "cod_refund_" + r.Key, Status: RefundSucceeded}, nil
}

func (cod) Lookup(context.Context, LookupRequest) (ProviderPayment, error) {
	return ProviderPayment{}, ErrProviderNotFound
}

func (cod) ParseWebhook([]byte, http.Header, time.Time) (WebhookEvent, error) {
	return WebhookEvent{}, ErrWebhookSignature.With("cash on delivery sends no webhooks")
}
