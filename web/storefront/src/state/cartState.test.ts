import { describe, expect, it } from "vitest";
import type { Cart, CartLine } from "../api/types";
import { cartReducer, checkoutBlocker, initialCart, itemCount } from "./cartState";

const inr = (amount: number) => ({ amount, currency: "INR" });

function line(id: string, quantity: number, warnings: CartLine["warnings"] = []): CartLine {
  return {
    id, sku: "SKU-" + id, quantity, unit_price: inr(1000), added_price: inr(1000), subtotal: inr(1000 * quantity), discount: inr(0),
    total: inr(1000 * quantity), tax_rate_bp: 500, tax: inr(48), taxes: [], discounts: [], purchasable: true, warnings, added_at: "",
  };
}

function cart(version: number, lines: CartLine[], ready = true): Cart {
  return {
    id: "c1", status: "active", currency: "INR", lines, coupons: [], warnings: [], ready, quote_hash: "h", version, created_at: "", updated_at: "",
    shipping: { zone: "z", fee: inr(0), discount: inr(0), charged: inr(0), tax: inr(0), taxes: [], cod_available: true, estimated: true },
    totals: { subtotal: inr(0), discount: inr(0), discounts: [], shipping: inr(0), tax: inr(0), taxes: [], grand: inr(0) },
  };
}

describe("cartReducer", () => {
  it("shows a loaded cart and clears busy and errors", () => {
    let s = cartReducer(initialCart, { type: "busy" });
    expect(s.busy).toBe(true);
    s = cartReducer(s, { type: "loaded", cart: cart(2, [line("a", 1)]) });
    expect(s).toMatchObject({ loading: false, busy: false, error: null });
    expect(s.cart?.version).toBe(2);
  });
  it("keeps the newer cart when an older answer arrives late", () => {
    let s = cartReducer(initialCart, { type: "loaded", cart: cart(5, [line("a", 3)]) });
    s = cartReducer(s, { type: "loaded", cart: cart(4, [line("a", 2)]) });
    expect(s.cart?.version).toBe(5);
    expect(itemCount(s.cart)).toBe(3);
  });
  it("takes another cart whatever its version (after sign-in)", () => {
    let s = cartReducer(initialCart, { type: "loaded", cart: cart(5, []) });
    s = cartReducer(s, { type: "loaded", cart: { ...cart(1, [line("b", 1)]), id: "c2" } });
    expect(s.cart?.id).toBe("c2");
  });
  it("records a failure and keeps the cart", () => {
    let s = cartReducer(initialCart, { type: "loaded", cart: cart(1, [line("a", 1)]) });
    s = cartReducer(cartReducer(s, { type: "busy" }), { type: "failed", error: "Sorry, that item is sold out." });
    expect(s).toMatchObject({ busy: false, error: "Sorry, that item is sold out." });
    expect(s.cart?.lines).toHaveLength(1);
    expect(cartReducer(s, { type: "dismiss" }).error).toBeNull();
  });
  it("opens and closes the drawer", () => {
    const s = cartReducer(initialCart, { type: "open" });
    expect(s.drawerOpen).toBe(true);
    expect(cartReducer(s, { type: "close" }).drawerOpen).toBe(false);
  });
});

describe("itemCount and checkoutBlocker", () => {
  it("counts units", () => {
    expect(itemCount(null)).toBe(0);
    expect(itemCount(cart(1, [line("a", 2), line("b", 3)]))).toBe(5);
  });
  it("says why checkout cannot start", () => {
    expect(checkoutBlocker(null)).toBe("Your bag is empty.");
    expect(checkoutBlocker(cart(1, [line("a", 1)]))).toBeNull();
    const sold = cart(1, [line("a", 1, [{ code: "out_of_stock", message: "sold out", blocking: true }])], false);
    expect(checkoutBlocker(sold)).toMatch(/change or remove/);
  });
});
