import { describe, expect, it } from "vitest";
import { formatDiscount, formatMoney, minorPerMajor, percentOff, sum } from "./money";

describe("formatMoney", () => {
  it.each([
    [129900, "₹1,299.00"],
    [0, "₹0.00"],
    [5, "₹0.05"],
    [12999900, "₹1,29,999.00"],
    [-5000, "-₹50.00"],
  ])("INR %i minor units is %s", (amount, want) => {
    expect(formatMoney({ amount, currency: "INR" })).toBe(want);
  });
  it("knows currencies without minor units", () => {
    expect(minorPerMajor("JPY")).toBe(1);
    expect(formatMoney({ amount: 1500, currency: "JPY" })).toBe("JP¥1,500");
  });
  it("formats discounts with a minus sign", () => {
    expect(formatDiscount({ amount: 10000, currency: "INR" })).toBe("−₹100.00");
    expect(formatDiscount({ amount: 0, currency: "INR" })).toBe("₹0.00");
  });
});

describe("percentOff", () => {
  const inr = (amount: number) => ({ amount, currency: "INR" });
  it("rounds down", () => expect(percentOff(inr(66600), inr(99900))).toBe(33));
  it("is 0 without a real markdown", () => {
    expect(percentOff(inr(100), undefined)).toBe(0);
    expect(percentOff(inr(100), inr(100))).toBe(0);
    expect(percentOff(inr(100), inr(50))).toBe(0);
  });
});

describe("sum", () => {
  it("adds one currency and refuses two", () => {
    expect(sum("INR", { amount: 1, currency: "INR" }, { amount: 2, currency: "INR" })).toEqual({ amount: 3, currency: "INR" });
    expect(() => sum("INR", { amount: 1, currency: "USD" })).toThrow();
  });
});
