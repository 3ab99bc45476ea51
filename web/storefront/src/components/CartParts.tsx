import { useState, type FormEvent } from "react";
import type { Cart, CartLine } from "../api/types";
import { formatDiscount, formatMoney } from "../lib/money";
import { Link } from "../router";
import { useCart } from "../state/cart";
import { Notice } from "./ErrorState";

const MAX_QTY = 10;

/** One line of the cart: picture, what it is, warnings, quantity, remove. */
export function CartLineItem({ line, compact, readOnly }: { line: CartLine; compact?: boolean; readOnly?: boolean }) {
  const cart = useCart();
  const busy = cart.state.busy;
  const max = Math.max(line.quantity, Math.min(MAX_QTY, line.available ?? MAX_QTY));
  const name = [line.title ?? line.sku, line.size && `size ${line.size}`, line.color].filter(Boolean).join(", ");
  return (
    <li className={"line" + (line.purchasable ? "" : " line-blocked")}>
      <Link to={line.slug ? `/p/${line.slug}` : "#"} className="line-img" tabIndex={-1} aria-hidden="true">
        {line.image ? <img src={line.image} alt="" width={72} height={96} loading="lazy" /> : <span className="img-missing" />}
      </Link>
      <div className="line-body">
        <p className="line-title">
          {line.brand && <span className="line-brand">{line.brand} </span>}
          {line.slug ? <Link to={`/p/${line.slug}`}>{line.title ?? line.sku}</Link> : (line.title ?? line.sku)}
        </p>
        <p className="line-meta">
          {line.size && <span>Size {line.size}</span>}
          {line.color && <span>{line.color}</span>}
          <span>{formatMoney(line.unit_price)} each</span>
        </p>
        {(line.warnings ?? []).map((w) => (
          <p key={w.code} className={"line-warning" + (w.blocking ? " blocking" : "")} role="status">
            {w.message}
          </p>
        ))}
        {readOnly ? (
          <p className="line-meta">Qty {line.quantity}</p>
        ) : (
        <div className="line-actions">
          <label className="qty">
            <span className="visually-hidden">Quantity of {name}</span>
            <button type="button" className="qty-btn" aria-label={`One fewer ${name}`} disabled={busy || line.quantity <= 1} onClick={() => cart.setQuantity(line.id, line.quantity - 1)}>
              −
            </button>
            <output aria-live="polite">{line.quantity}</output>
            <button type="button" className="qty-btn" aria-label={`One more ${name}`} disabled={busy || line.quantity >= max} onClick={() => cart.setQuantity(line.id, line.quantity + 1)}>
              +
            </button>
          </label>
          <button type="button" className="link-btn" disabled={busy} onClick={() => cart.remove(line.id)} aria-label={`Remove ${name}`}>
            Remove
          </button>
        </div>
        )}
      </div>
      <div className="line-price">
        {line.discount.amount > 0 && <s className="price-was">{formatMoney(line.subtotal)}</s>}
        <strong>{formatMoney(line.total)}</strong>
        {!compact && line.discount.amount > 0 && <span className="price-off">You save {formatMoney(line.discount)}</span>}
      </div>
    </li>
  );
}

export function CartLines({ cart, compact, readOnly }: { cart: Cart; compact?: boolean; readOnly?: boolean }) {
  return (
    <ul className="lines" aria-label="Items in your bag">
      {(cart.lines ?? []).map((l) => (
        <CartLineItem key={l.id} line={l} compact={compact} readOnly={readOnly} />
      ))}
    </ul>
  );
}

/** Subtotal, each discount by name, shipping, GST (included) and the total. */
export function Totals({ cart }: { cart: Cart }) {
  const t = cart.totals;
  const ship = cart.shipping;
  const shippingFree = ship.charged.amount === 0;
  return (
    <dl className="totals">
      <div>
        <dt>Subtotal</dt>
        <dd>{formatMoney(t.subtotal)}</dd>
      </div>
      {(t.discounts ?? []).map((d) => (
        <div key={d.promotion_id} className="discount">
          <dt>
            {d.name}
            {d.code ? ` (${d.code})` : ""}
          </dt>
          <dd>{formatDiscount(d.amount)}</dd>
        </div>
      ))}
      <div>
        <dt>Shipping{ship.estimated ? " (estimated)" : ""}</dt>
        <dd>
          {shippingFree ? (
            <span className="free">{ship.fee.amount > 0 ? <s className="price-was">{formatMoney(ship.fee)}</s> : null} Free</span>
          ) : (
            formatMoney(ship.fee)
          )}
        </dd>
      </div>
      <div className="grand">
        <dt>Total</dt>
        <dd>{formatMoney(t.grand)}</dd>
      </div>
      <div className="tax">
        <dt>Includes GST</dt>
        <dd>{formatMoney(t.tax)}</dd>
      </div>
      {(t.taxes ?? []).map((x) => (
        <div key={x.name + x.rate_bp} className="tax tax-part">
          <dt>
            {x.name} {x.rate_bp ? `(${x.rate_bp / 100}%)` : ""}
          </dt>
          <dd>{formatMoney(x.amount)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "Add ₹200.00 more for free shipping", when the zone has a threshold. */
export function FreeShippingHint({ cart }: { cart: Cart }) {
  const over = cart.shipping.free_over;
  if (!over || cart.shipping.charged.amount === 0 || !cart.lines?.length) return null;
  const missing = over.amount - (cart.totals.subtotal.amount - cart.totals.discount.amount);
  if (missing <= 0) return null;
  return <p className="hint">Add {formatMoney({ amount: missing, currency: over.currency })} more for free shipping.</p>;
}

export function CouponForm({ cart }: { cart: Cart }) {
  const c = useCart();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = code.trim();
    if (!v) return;
    setBusy(true);
    const err = await c.applyCoupon(v);
    setBusy(false);
    setError(err);
    if (!err) setCode("");
  }
  return (
    <div className="coupon">
      <form onSubmit={submit} className="coupon-form">
        <label htmlFor="coupon">Coupon code</label>
        <div className="row">
          <input
            id="coupon"
            name="coupon"
            value={code}
            onChange={(e) => setCode(e.target.value.toUpperCase())}
            autoComplete="off"
            aria-invalid={!!error}
            aria-describedby={error ? "coupon-error" : undefined}
          />
          <button type="submit" className="btn btn-secondary" disabled={busy || !code.trim()}>
            Apply
          </button>
        </div>
        {error && (
          <p id="coupon-error" className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
      {(cart.coupons ?? []).length > 0 && (
        <ul className="coupons" aria-label="Coupons on your bag">
          {cart.coupons!.map((cp) => (
            <li key={cp.code}>
              <span className={"coupon-code" + (cp.applied ? "" : " inactive")}>{cp.code}</span>
              <span className="coupon-msg">{cp.applied ? (cp.message ?? "Applied") : (cp.reason ?? "Takes nothing off this bag")}</span>
              <button type="button" className="link-btn" onClick={() => c.removeCoupon(cp.code)} aria-label={`Remove coupon ${cp.code}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function CartError() {
  const c = useCart();
  if (!c.state.error) return null;
  return (
    <Notice>
      {c.state.error}{" "}
      <button type="button" className="link-btn" onClick={c.dismissError}>
        Dismiss
      </button>
    </Notice>
  );
}
