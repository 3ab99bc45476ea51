// The cart's client state, as a pure reducer: what the drawer and the cart
// page show while calls to the cart API come and go.
import type { Cart } from "../api/types";

export interface CartState {
  /** The cart as the API last returned it; null when there is none yet. */
  cart: Cart | null;
  /** The first read has not finished. */
  loading: boolean;
  /** A change is on its way to the server. */
  busy: boolean;
  /** Why the last change failed, for a person. */
  error: string | null;
  drawerOpen: boolean;
}

export type CartAction =
  | { type: "loaded"; cart: Cart | null }
  | { type: "busy" }
  | { type: "failed"; error: string }
  | { type: "dismiss" }
  | { type: "open" }
  | { type: "close" };

export const initialCart: CartState = { cart: null, loading: true, busy: false, error: null, drawerOpen: false };

export function cartReducer(s: CartState, a: CartAction): CartState {
  switch (a.type) {
    case "loaded":
      // An answer older than what is shown (two quick changes that crossed)
      // must not undo the newer one.
      if (a.cart && s.cart && a.cart.id === s.cart.id && a.cart.version < s.cart.version) {
        return { ...s, loading: false, busy: false };
      }
      return { ...s, cart: a.cart, loading: false, busy: false, error: null };
    case "busy":
      return { ...s, busy: true, error: null };
    case "failed":
      return { ...s, busy: false, loading: false, error: a.error };
    case "dismiss":
      return { ...s, error: null };
    case "open":
      return { ...s, drawerOpen: true };
    case "close":
      return { ...s, drawerOpen: false };
  }
}

/** Units in the cart, for the header's badge. */
export function itemCount(cart: Cart | null): number {
  return cart?.lines?.reduce((n, l) => n + l.quantity, 0) ?? 0;
}

/** Why checkout cannot start yet, or null when it can. */
export function checkoutBlocker(cart: Cart | null): string | null {
  if (!cart || !cart.lines?.length) return "Your bag is empty.";
  if (cart.ready) return null;
  const blocking = cart.lines.flatMap((l) => (l.warnings ?? []).filter((w) => w.blocking !== false && ["out_of_stock", "insufficient_stock", "unavailable", "purchase_limit"].includes(w.code)));
  if (blocking.length) return "Some items can't be bought as they are: change or remove them to continue.";
  if (cart.warnings?.length) return cart.warnings[0].message;
  return "Some items can't be bought as they are: change or remove them to continue.";
}
