import { describe, expect, it } from "vitest";
import { describeStatus, settled, stepIndex } from "./orderStatus";

const zero = { amount: 0, currency: "INR" };

describe("order status for shoppers", () => {
  it("explains a declined payment without blame and points back to the bag", () => {
    const v = describeStatus({ status: "payment_failed", payment: { method: "card", failure_message: "The card was declined.", captured: zero, refunded: zero } });
    expect(v.tone).toBe("bad");
    expect(v.message).toBe("Your payment didn't go through: The card was declined. You haven't been charged, and your bag is just as you left it.");
  });
  it("tells a UPI payer to approve in the app", () => {
    expect(describeStatus({ status: "awaiting_payment", payment: { method: "upi", next_action: { type: "upi_collect" }, captured: zero, refunded: zero } }).message).toMatch(/UPI app/);
  });
  it("places statuses on the progress bar", () => {
    expect(stepIndex("pending")).toBe(0);
    expect(stepIndex("paid")).toBe(1);
    expect(stepIndex("shipped")).toBe(3);
    expect(stepIndex("payment_failed")).toBe(-1);
    expect(settled("paid")).toBe(false);
    expect(settled("payment_failed")).toBe(true);
  });
});
