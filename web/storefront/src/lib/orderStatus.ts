// What an order's status means to the shopper.
import type { Order, OrderStatus } from "../api/orders";

export interface StatusView {
  label: string;
  tone: "progress" | "good" | "bad" | "neutral";
  message: string;
}

export function describeStatus(o: Pick<Order, "status" | "payment" | "tracking">): StatusView {
  const s: OrderStatus = o.status;
  switch (s) {
    case "pending":
      return { label: "Placing your order", tone: "progress", message: "We've received your order and are reserving your items. This takes a few seconds." };
    case "awaiting_payment":
      if (o.payment.next_action?.type === "upi_collect")
        return { label: "Waiting for payment", tone: "progress", message: "Approve the payment request in your UPI app. This page updates by itself." };
      if (o.payment.next_action?.type === "redirect") return { label: "Confirm your payment", tone: "progress", message: "Your bank needs you to confirm the payment." };
      return { label: "Waiting for payment", tone: "progress", message: "We're waiting for your payment to be confirmed. This page updates by itself." };
    case "paid":
      return { label: "Paid", tone: "good", message: "Payment received. Thank you! We'll let you know when your order ships." };
    case "confirmed":
      return { label: "Confirmed", tone: "good", message: "Your order is confirmed. Pay when it's delivered." };
    case "packed":
      return { label: "Packed", tone: "good", message: "Your order is packed and will ship soon." };
    case "shipped":
      return { label: "Shipped", tone: "good", message: o.tracking ? `On its way with ${o.tracking.carrier} (tracking number ${o.tracking.number}).` : "Your order is on its way." };
    case "delivered":
      return { label: "Delivered", tone: "good", message: "Your order was delivered. We hope you love it." };
    case "cancelled":
      return { label: "Cancelled", tone: "neutral", message: "This order was cancelled. If you paid, the money is on its way back to you." };
    case "payment_failed":
      return {
        label: "Payment failed",
        tone: "bad",
        message: `Your payment didn't go through${o.payment.failure_message ? ": " + o.payment.failure_message.replace(/\.$/, "") : ""}. You haven't been charged, and your bag is just as you left it.`,
      };
    case "expired":
      return { label: "Payment not completed", tone: "bad", message: "The payment wasn't completed in time, so we've released your items. Your bag is just as you left it." };
    case "return_requested":
      return { label: "Return requested", tone: "progress", message: "We've received your return request and will confirm it shortly." };
    case "return_approved":
      return { label: "Return approved", tone: "progress", message: "Your return is approved. Hand the parcel to our courier when they call." };
    case "returned":
      return { label: "Returned", tone: "neutral", message: "We've received your return." };
    case "refunded":
      return { label: "Refunded", tone: "neutral", message: "Your refund is on its way. It can take 5–7 working days to reach your account." };
  }
  return { label: String(s), tone: "neutral", message: "" };
}

/** The shipping milestones and how far the order got. */
export const STEPS: { key: string; label: string; at: OrderStatus[] }[] = [
  { key: "placed", label: "Placed", at: ["pending", "awaiting_payment"] },
  { key: "paid", label: "Confirmed", at: ["paid", "confirmed"] },
  { key: "packed", label: "Packed", at: ["packed"] },
  { key: "shipped", label: "Shipped", at: ["shipped"] },
  { key: "delivered", label: "Delivered", at: ["delivered", "return_requested", "return_approved", "returned", "refunded"] },
];

export function stepIndex(s: OrderStatus): number {
  return STEPS.findIndex((st) => st.at.includes(s));
}

/** The order will not change by itself any more. */
export function settled(s: OrderStatus): boolean {
  return ["delivered", "cancelled", "payment_failed", "expired", "returned", "refunded"].includes(s);
}
