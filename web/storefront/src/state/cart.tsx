// The shopper's cart. A guest's cart is created on the first add and found
// again by the id and token kept in localStorage; a member's is theirs on the
// server. At sign-in the guest cart is folded into the member's (the server
// merges), at sign-out the page forgets it.
import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, type ReactNode } from "react";
import { ApiError, api, call, describeError } from "../api/client";
import type { Cart, CartAddress } from "../api/types";
import { cartReducer, initialCart, type CartState } from "./cartState";
import { useSession } from "./session";

const GUEST_KEY = "bazaar.cart";

interface GuestRef {
  id: string;
  token: string;
}

function loadGuest(): GuestRef | null {
  try {
    const g = JSON.parse(localStorage.getItem(GUEST_KEY) ?? "null") as GuestRef | null;
    return g && g.id && g.token ? g : null;
  } catch {
    return null;
  }
}

function saveGuest(g: GuestRef | null) {
  try {
    if (g) localStorage.setItem(GUEST_KEY, JSON.stringify(g));
    else localStorage.removeItem(GUEST_KEY);
  } catch {
    /* storage full or disabled: the cart lives for this page only */
  }
}

export interface CartApi {
  state: CartState;
  /** The guest cart's token, for calls that need it (checkout). */
  guestToken(): string | undefined;
  add(sku: string, quantity?: number): Promise<boolean>;
  setQuantity(lineId: string, quantity: number): Promise<boolean>;
  remove(lineId: string): Promise<boolean>;
  /** Returns an error message, or null when the coupon was applied. */
  applyCoupon(code: string): Promise<string | null>;
  removeCoupon(code: string): Promise<boolean>;
  /** Sets where the cart ships (the PIN code check); throws ApiError when refused. */
  setShippingAddress(a: CartAddress): Promise<Cart>;
  refresh(): Promise<Cart | null>;
  /** After an order was placed: the cart is closed (until a failed payment reopens it). */
  afterCheckout(): Promise<void>;
  openDrawer(): void;
  closeDrawer(): void;
  dismissError(): void;
}

const Ctx = createContext<CartApi | null>(null);

export function useCart(): CartApi {
  const c = useContext(Ctx);
  if (!c) throw new Error("useCart outside CartProvider");
  return c;
}

export function CartProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const [state, dispatch] = useReducer(cartReducer, initialCart);
  const stateRef = useRef(state);
  stateRef.current = state;
  const member = !!user;
  const memberRef = useRef(member);
  memberRef.current = member;

  const headers = useCallback((): { "X-Cart-Token"?: string } => {
    const g = memberRef.current ? null : loadGuest();
    return g ? { "X-Cart-Token": g.token } : {};
  }, []);

  /** Reads the cart this browser has, without creating one. */
  const fetchCart = useCallback(async (): Promise<Cart | null> => {
    if (memberRef.current) return call(api.GET("/api/v1/me/cart"));
    const g = loadGuest();
    if (!g) return null;
    try {
      const c = await call(api.GET("/api/v1/carts/{id}", { params: { path: { id: g.id }, header: { "X-Cart-Token": g.token } } }));
      // An ordered cart is kept in mind: if the payment fails the server
      // reopens it, and the shopper's bag is back as it was.
      if (c.status === "merged") saveGuest(null);
      if (c.status !== "active") return null;
      return c;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 401 || e.status === 403)) {
        saveGuest(null);
        return null;
      }
      throw e;
    }
  }, []);

  /** The id of a cart to change, creating a guest's on the first add. */
  const cartId = useCallback(async (): Promise<string> => {
    const cur = stateRef.current.cart;
    if (cur && cur.status === "active") return cur.id;
    if (memberRef.current) return (await call(api.GET("/api/v1/me/cart"))).id;
    const g = loadGuest();
    if (g) return g.id;
    const c = await call(api.POST("/api/v1/carts", {}));
    if (c.token) saveGuest({ id: c.id, token: c.token });
    dispatch({ type: "loaded", cart: c });
    return c.id;
  }, []);

  /** Runs a change; a closed or vanished cart is replaced once and the change retried. */
  const change = useCallback(
    async (fn: (id: string) => Promise<Cart>): Promise<Cart> => {
      dispatch({ type: "busy" });
      try {
        let c: Cart;
        try {
          c = await fn(await cartId());
        } catch (e) {
          if (!(e instanceof ApiError) || !["cart_closed", "cart_not_found"].includes(e.code)) throw e;
          if (!memberRef.current) saveGuest(null);
          dispatch({ type: "loaded", cart: null });
          c = await fn(await cartId());
        }
        dispatch({ type: "loaded", cart: c });
        return c;
      } catch (e) {
        dispatch({ type: "failed", error: describeError(e) });
        throw e;
      }
    },
    [cartId],
  );

  const refresh = useCallback(async () => {
    try {
      const c = await fetchCart();
      dispatch({ type: "loaded", cart: c });
      return c;
    } catch (e) {
      dispatch({ type: "failed", error: describeError(e) });
      return null;
    }
  }, [fetchCart]);

  // Load at start and whenever the shopper signs in or out. Signing in folds
  // the guest cart into the member's.
  const userId = user?.id;
  useEffect(() => {
    if (user === undefined) return;
    let live = true;
    (async () => {
      try {
        let c: Cart | null;
        const g = loadGuest();
        if (userId && g) {
          try {
            c = await call(api.POST("/api/v1/me/cart/merge", { body: { cart_id: g.id }, params: { header: { "X-Cart-Token": g.token } } }));
          } catch (e) {
            if (!(e instanceof ApiError) || e.status >= 500) throw e;
            c = await call(api.GET("/api/v1/me/cart")); // the guest cart was gone or closed
          }
          saveGuest(null);
        } else {
          c = await fetchCart();
        }
        if (live) dispatch({ type: "loaded", cart: c });
      } catch (e) {
        if (live) dispatch({ type: "failed", error: describeError(e) });
      }
    })();
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [userId, user === undefined]);

  const ok = (p: Promise<unknown>) => p.then(() => true, () => false);

  const value = useMemo<CartApi>(
    () => ({
      state,
      guestToken: () => (memberRef.current ? undefined : loadGuest()?.token),
      add: (sku, quantity = 1) =>
        ok(
          change((id) => call(api.POST("/api/v1/carts/{id}/items", { params: { path: { id }, header: headers() }, body: { sku, quantity } }))).then(() =>
            dispatch({ type: "open" }),
          ),
        ),
      setQuantity: (lineId, quantity) =>
        ok(change((id) => call(api.PATCH("/api/v1/carts/{id}/items/{line_id}", { params: { path: { id, line_id: lineId }, header: headers() }, body: { quantity } })))),
      remove: (lineId) =>
        ok(change((id) => call(api.DELETE("/api/v1/carts/{id}/items/{line_id}", { params: { path: { id, line_id: lineId }, header: headers() } })))),
      applyCoupon: async (code) => {
        try {
          const c = await change((id) => call(api.POST("/api/v1/carts/{id}/promotions", { params: { path: { id }, header: headers() }, body: { code } })));
          const applied = c.coupons?.find((x) => x.code.toLowerCase() === code.toLowerCase());
          if (applied && !applied.applied) return applied.reason || applied.message || "That coupon takes nothing off this bag.";
          return null;
        } catch (e) {
          dispatch({ type: "dismiss" });
          return describeError(e);
        }
      },
      removeCoupon: (code) =>
        ok(change((id) => call(api.DELETE("/api/v1/carts/{id}/promotions/{code}", { params: { path: { id, code }, header: headers() } })))),
      setShippingAddress: async (a) => {
        const id = await cartId();
        const c = await call(api.PUT("/api/v1/carts/{id}/shipping-address", { params: { path: { id }, header: headers() }, body: a }));
        dispatch({ type: "loaded", cart: c });
        return c;
      },
      refresh,
      afterCheckout: async () => {
        dispatch({ type: "loaded", cart: null });
        await refresh();
      },
      openDrawer: () => dispatch({ type: "open" }),
      closeDrawer: () => dispatch({ type: "close" }),
      dismissError: () => dispatch({ type: "dismiss" }),
    }),
    [state, change, headers, cartId, refresh],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
