package payment

import "github.com/bazaarshop/bazaar/internal/platform/errs"

// Errors of the payment service. Clients switch on the code.
var (
	ErrIntentNotFound = errs.NotFound("payment_not_found", "no such payment")
	ErrRefundNotFound = errs.NotFound("refund_not_found", "no such refund")
	ErrMethodNotFound = errs.NotFound("payment_method_not_found", "no such payment method")

	// ErrIllegalTransition: the intent's state forbids the operation
	// (capture a cancelled payment, refund an uncaptured one, ...).
	ErrIllegalTransition = errs.Conflict("payment_illegal_transition", "the payment's state does not allow this")
	// ErrKeyReused: an idempotency key came back with another request.
	ErrKeyReused = errs.E(errs.KindUnprocessable, "payment_idempotency_key_reused", "this idempotency key was used for a different payment request")
	// ErrRefundExceedsCaptured: a refund larger than what is left to refund.
	ErrRefundExceedsCaptured = errs.Conflict("refund_exceeds_captured", "the refund is larger than what was captured and not yet refunded")
	// ErrCaptureExceedsAuthorized: a capture larger than the hold.
	ErrCaptureExceedsAuthorized = errs.Invalid("capture_exceeds_authorized", "the capture is larger than the authorised amount")
	// ErrCaptureInProgress: a capture of another amount is still with the provider.
	ErrCaptureInProgress = errs.Conflict("capture_in_progress", "a capture of this payment is in progress; retry it with the same amount")
	// ErrMethodUnsupported: no configured provider takes this method (or
	// the named provider does not).
	ErrMethodUnsupported = errs.Invalid("payment_method_unsupported", "no payment provider takes this method")
	// ErrMethodExpired: an unsaved card token is past its use-by time.
	ErrMethodExpired = errs.Invalid("payment_method_expired", "the payment method has expired; enter the card again")
	ErrInvalidVPA    = errs.Invalid("upi_vpa_invalid", "the UPI address must look like name@handle")
	ErrInvalidInput  = errs.Invalid("payment_invalid", "the payment request is not valid")

	// Provider failures that are not a decline: the call may be retried.
	ErrProviderTimeout     = errs.E(errs.KindTimeout, "provider_timeout", "the payment provider did not answer in time; retry")
	ErrProviderUnavailable = errs.Unavailable("provider_unavailable", "the payment provider is unavailable; retry")
	// ErrProviderRejected: the provider refused a request as malformed or
	// not allowed (not a decline of the shopper's payment).
	ErrProviderRejected = errs.E(errs.KindUnprocessable, "provider_rejected", "the payment provider rejected the request")
	// ErrProviderNotFound: the provider has no record of the payment.
	ErrProviderNotFound = errs.NotFound("provider_payment_not_found", "the payment provider has no such payment")

	// Webhook failures.
	ErrWebhookSignature = errs.Unauthenticated("webhook_signature_invalid", "the webhook signature does not verify")
	ErrWebhookStale     = errs.Invalid("webhook_timestamp_stale", "the webhook is outside the accepted time window")
	ErrWebhookMalformed = errs.Invalid("webhook_malformed", "the webhook body is not understood")
	ErrUnknownProvider  = errs.NotFound("payment_provider_not_found", "no such payment provider")
)
