// The API client: openapi-fetch typed by src/api/schema.d.ts (generated from
// the binary's OpenAPI document by `npm run gen:api`), plus what every call
// needs: the X-CSRF-Token of a cookie session on writes, and errors turned
// into ApiError (a problem document's status, code and field errors) or
// NetworkError (the shop could not be reached).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldError[];
  readonly problem?: Problem;
  constructor(status: number, problem?: Partial<Problem>) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = problem?.code || `http_${status}`;
    this.fields = problem?.errors ?? [];
    this.problem = problem as Problem | undefined;
  }
}

export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super("network error", { cause });
    this.name = "NetworkError";
  }
}

export const CSRF_COOKIE = "csrf_token";

export function readCookie(name: string): string {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return "";
}

type Listener = (e: ApiError, request: Request) => void;
const unauthenticated = new Set<Listener>();

/** Calls fn whenever the API answers 401: the session has ended or was never there. */
export function onUnauthenticated(fn: Listener): () => void {
  unauthenticated.add(fn);
  return () => unauthenticated.delete(fn);
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
      const token = readCookie(CSRF_COOKIE);
      if (token && !request.headers.has("X-CSRF-Token")) request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
};

export const api = createClient<paths>({
  baseUrl: "",
  credentials: "same-origin",
  // Looked up at call time, so tests can replace it.
  fetch: (req: Request) => globalThis.fetch(req),
});
api.use(csrf);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws ApiError or
 * NetworkError.
 */
export async function call<T>(p: Promise<FetchResult<T>>): Promise<T> {
  let r: FetchResult<T>;
  try {
    r = await p;
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new NetworkError(e);
  }
  if (!r.response.ok) {
    const problem = r.error && typeof r.error === "object" ? (r.error as Partial<Problem>) : undefined;
    const err = new ApiError(r.response.status, problem);
    if (r.response.status === 401) {
      for (const fn of unauthenticated) fn(err, new Request(r.response.url || "/"));
    }
    throw err;
  }
  return r.data as T;
}

/** A fresh Idempotency-Key. */
export function newKey(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return Math.random().toString(36).slice(2) + Date.now().toString(36);
}

// What a shopper reads when something fails: the API's problem details are
// written for developers; these are for people.
const friendly: Record<string, string> = {
  invalid_credentials: "That email and password don't match an account. If you've just signed up, confirm your email address first — we've sent you a new link.",
  invalid_session: "Your session has expired. Please sign in again.",
  unauthenticated: "Your session has expired. Please sign in again.",
  csrf_rejected: "Your session has expired. Please sign in again.",
  too_many_attempts: "Too many attempts. Please wait a minute and try again.",
  weak_password: "Choose a longer or less common password (at least 8 characters).",
  invalid_token: "This link is invalid, already used or expired. Ask for a new one.",
  coupon_not_found: "We don't recognise that coupon code.",
  coupon_expired: "That coupon has expired.",
  coupon_not_started: "That coupon isn't valid yet.",
  coupon_inactive: "That coupon isn't active.",
  coupon_exhausted: "That coupon has been used up.",
  coupon_already_used: "You've already used that coupon.",
  coupon_not_applicable: "That coupon doesn't apply to the items in your bag.",
  coupon_not_combinable: "That coupon can't be combined with the offers already in your bag.",
  coupon_requires_account: "Sign in to use that coupon.",
  invalid_coupon_code: "Coupon codes are 3 to 32 letters, digits, '-' or '_'.",
  out_of_stock: "Sorry, that item is sold out.",
  insufficient_stock: "Sorry, we don't have that many in stock.",
  quantity_over_limit: "That's more than we can sell in one order.",
  purchase_limit_exceeded: "This item is limited per customer.",
  shipping_unavailable: "Sorry, we don't deliver to that PIN code yet.",
  cart_closed: "This bag has already been checked out. We've started a new one for you.",
  cart_not_ready: "Some items in your bag can't be bought as they are. Check the notes in your bag.",
  cart_empty: "Your bag is empty.",
  card_number_invalid: "That card number isn't valid. Check it and try again.",
  card_expired: "That card has expired.",
  card_expiry_invalid: "Check the card's expiry date (MM/YY).",
  card_cvc_invalid: "Check the card's security code (CVV).",
  card_brand_unsupported: "We don't accept cards of that type.",
  upi_vpa_invalid: "A UPI ID looks like name@bank.",
  email_taken: "An account with that email already exists. Sign in instead.",
  pricing_unavailable: "We couldn't check prices just now. Please try again in a moment.",
  availability_unavailable: "We couldn't check stock just now. Please try again in a moment.",
};

/** A sentence a shopper understands for any error a call may throw. */
export function describeError(e: unknown): string {
  if (e instanceof NetworkError) return "We couldn't reach the shop. Check your internet connection and try again.";
  if (e instanceof ApiError) {
    if (friendly[e.code]) return friendly[e.code];
    if (e.status >= 500) {
      const id = e.problem?.request_id;
      return "Something went wrong on our side. Please try again." + (id ? ` (Reference: ${id})` : "");
    }
    if (e.fields.length) return e.fields.map((f) => f.message).join(". ");
    const m = e.message;
    return m.charAt(0).toUpperCase() + m.slice(1) + (m.endsWith(".") ? "" : ".");
  }
  return "Something went wrong. Please try again.";
}

/** The message of the field error for a JSON field ("body.email" or "email"), if any. */
export function fieldError(e: unknown, field: string): string | undefined {
  if (!(e instanceof ApiError)) return undefined;
  const f = e.fields.find((x) => x.field === field || x.field === "body." + field || x.field.endsWith("." + field));
  return f?.message;
}
