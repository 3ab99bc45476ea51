// Checkout and orders, on the generated API types.
import { api, call, type Schemas } from "./client";

export type Order = Schemas["Order"];
export type OrderStatus = Order["status"];
export type OrderLine = Schemas["OrderLine"];
export type OrderAddress = Schemas["CartAddress"];
export type CheckoutRequest = Schemas["OrderCheckoutInput"];
export type CheckoutAccepted = Schemas["OrderAccepted"];
export type PaymentChoice = Schemas["OrderPaymentChoice"];
export type ReturnRequest = Schemas["OrderReturnInput"];

// Guests reach their orders with the order token checkout gave them; it is
// kept in this browser so the 3-D Secure return and a reload still work.
const TOKENS_KEY = "bazaar.orderTokens";

export function orderToken(id: string): string | undefined {
  try {
    return (JSON.parse(localStorage.getItem(TOKENS_KEY) ?? "{}") as Record<string, string>)[id];
  } catch {
    return undefined;
  }
}

export function rememberOrderToken(id: string, token: string): void {
  try {
    const all = JSON.parse(localStorage.getItem(TOKENS_KEY) ?? "{}") as Record<string, string>;
    all[id] = token;
    localStorage.setItem(TOKENS_KEY, JSON.stringify(all));
  } catch {
    /* private mode: the token in the URL still works */
  }
}

function tokenHeader(id: string, token?: string): { "X-Order-Token"?: string } {
  const t = token ?? orderToken(id);
  return t ? { "X-Order-Token": t } : {};
}

export function checkout(req: CheckoutRequest, idempotencyKey: string, cartToken?: string): Promise<CheckoutAccepted> {
  return call(api.POST("/api/v1/checkout", { body: req, params: { header: { "Idempotency-Key": idempotencyKey, ...(cartToken ? { "X-Cart-Token": cartToken } : {}) } } }));
}

export function getOrder(id: string, token?: string, signal?: AbortSignal): Promise<Order> {
  return call(api.GET("/api/v1/orders/{id}", { params: { path: { id }, header: tokenHeader(id, token) }, signal }));
}

/** The event stream's URL; EventSource cannot send headers, so a guest's token goes in the query. */
export function orderEventsURL(id: string, token?: string): string {
  const t = token ?? orderToken(id);
  return `/api/v1/orders/${encodeURIComponent(id)}/events` + (t ? `?token=${encodeURIComponent(t)}` : "");
}

export function cancelOrder(id: string, reason?: string): Promise<Order> {
  return call(api.POST("/api/v1/orders/{id}/cancel", { params: { path: { id }, header: tokenHeader(id) }, body: reason ? { reason } : {} }));
}

export function requestReturn(id: string, req: ReturnRequest): Promise<Order> {
  return call(api.POST("/api/v1/orders/{id}/returns", { params: { path: { id }, header: tokenHeader(id) }, body: req }));
}

export function myOrders(pageToken?: string): Promise<Schemas["OrderPage"]> {
  return call(api.GET("/api/v1/me/orders", { params: { query: { page_size: 20, ...(pageToken ? { page_token: pageToken } : {}) } } }));
}
