import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, call, describeError } from "../api/client";
import { cancelOrder, getOrder, orderEventsURL, orderToken, requestReturn, type Order, type OrderLine } from "../api/orders";
import type { Product } from "../api/types";
import { ErrorState, Notice, Spinner } from "../components/ErrorState";
import { stateName } from "../lib/india";
import { formatDiscount, formatMoney } from "../lib/money";
import { describeStatus, settled, stepIndex, STEPS } from "../lib/orderStatus";
import { Link, navigate, useLocation } from "../router";
import { useCart } from "../state/cart";

type Live = "connecting" | "live" | "reconnecting" | "polling" | "closed";

/**
 * The order, kept current: the server's event stream (SSE) sends the whole
 * order on every change, first the current state; EventSource reconnects by
 * itself with Last-Event-ID. If the stream keeps failing the page polls.
 */
function useLiveOrder(id: string, token?: string) {
  const [order, setOrder] = useState<Order>();
  const [error, setError] = useState<unknown>();
  const [live, setLive] = useState<Live>("connecting");
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let stopped = false;
    let es: EventSource | null = null;
    let poll: ReturnType<typeof setInterval> | undefined;
    let failures = 0;
    setError(undefined);
    getOrder(id, token).then(
      (o) => {
        if (stopped) return;
        setOrder(o);
        if (settled(o.status)) {
          setLive("closed");
          return;
        }
        es = new EventSource(orderEventsURL(id, token));
        es.addEventListener("order", (ev) => {
          failures = 0;
          setLive("live");
          try {
            const next = JSON.parse((ev as MessageEvent).data) as Order;
            setOrder(next);
            if (settled(next.status)) {
              es?.close();
              setLive("closed");
            }
          } catch {
            /* a malformed event: the next one carries the whole order again */
          }
        });
        es.onopen = () => setLive("live");
        es.onerror = () => {
          failures++;
          if (failures < 4) {
            setLive("reconnecting");
            return;
          }
          es?.close();
          setLive("polling");
          poll = setInterval(() => {
            getOrder(id, token).then((o) => {
              setOrder(o);
              if (settled(o.status)) clearInterval(poll);
            }, () => undefined);
          }, 3000);
        };
      },
      (e) => !stopped && setError(e),
    );
    return () => {
      stopped = true;
      es?.close();
      clearInterval(poll);
    };
  }, [id, token, attempt]);
  return { order, setOrder, error, live, retry: () => setAttempt((n) => n + 1) };
}

function Progress({ o }: { o: Order }) {
  const at = stepIndex(o.status);
  if (at < 0) return null;
  return (
    <ol className="progress" aria-label="Order progress">
      {STEPS.map((s, i) => (
        <li key={s.key} className={i < at ? "done" : i === at ? "now" : ""} aria-current={i === at ? "step" : undefined}>
          <span className="dot" aria-hidden="true" />
          {s.label}
        </li>
      ))}
    </ol>
  );
}

function PaymentAction({ o }: { o: Order }) {
  const next = o.payment.next_action;
  // Go to the bank's page once by ourselves; after that (the shopper came back
  // without finishing) the button is there.
  useEffect(() => {
    if (o.status !== "awaiting_payment" || next?.type !== "redirect" || !next.url) return;
    const key = "bazaar.redirected." + o.id + "." + (o.payment.intent_id ?? "");
    if (sessionStorage.getItem(key)) return;
    sessionStorage.setItem(key, "1");
    window.location.assign(next.url);
  }, [o.status, o.id, o.payment.intent_id, next?.type, next?.url]);
  if (o.status !== "awaiting_payment" || !next) return null;
  if (next.type === "redirect" && next.url) {
    return (
      <p>
        <a className="btn" href={next.url}>
          Continue to confirm your payment
        </a>
      </p>
    );
  }
  return (
    <p className="upi-wait">
      <span className="spinner-dot" aria-hidden="true" /> Waiting for your approval…
    </p>
  );
}

function CancelBox({ o, done }: { o: Order; done: (o: Order) => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!o.can_cancel) return null;
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      done(await cancelOrder(o.id, reason.trim() || undefined));
      setOpen(false);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  if (!open)
    return (
      <button type="button" className="btn btn-secondary" onClick={() => setOpen(true)}>
        Cancel order
      </button>
    );
  return (
    <form className="panel" onSubmit={submit}>
      <h3>Cancel this order?</h3>
      <label htmlFor="cancel-reason">Why are you cancelling? (optional)</label>
      <select id="cancel-reason" value={reason} onChange={(e) => setReason(e.target.value)}>
        <option value="">Rather not say</option>
        <option value="changed_mind">I changed my mind</option>
        <option value="found_cheaper">I found it cheaper elsewhere</option>
        <option value="ordered_by_mistake">I ordered by mistake</option>
        <option value="delivery_too_slow">Delivery takes too long</option>
      </select>
      {error && <Notice>{error}</Notice>}
      <p className="actions">
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {busy ? "Cancelling…" : "Yes, cancel the order"}
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => setOpen(false)}>
          Keep the order
        </button>
      </p>
    </form>
  );
}

function ReturnBox({ o, done }: { o: Order; done: (o: Order) => void }) {
  const [open, setOpen] = useState(false);
  const [qty, setQty] = useState<Record<string, number>>({});
  const [resolution, setResolution] = useState<"refund" | "exchange">("refund");
  const [exchange, setExchange] = useState<Record<string, string>>({});
  const [reason, setReason] = useState("size_too_small");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [products, setProducts] = useState<Record<string, Product>>({});
  useEffect(() => {
    if (!open || resolution !== "exchange") return;
    for (const l of o.lines ?? []) {
      const slug = l.slug;
      if (!slug || products[slug]) continue;
      call(api.GET("/api/v1/products/{id}", { params: { path: { id: slug } } })).then((p) => setProducts((m) => ({ ...m, [slug]: p })), () => undefined);
    }
  }, [open, resolution, o.lines, products]);
  if (!o.can_return) return null;
  const chosen = (o.lines ?? []).filter((l) => (qty[l.sku] ?? 0) > 0);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!chosen.length) return setError("Choose at least one item to return.");
    if (resolution === "exchange" && chosen.some((l) => !exchange[l.sku])) return setError("Choose the size you'd like instead for each item.");
    setBusy(true);
    setError(undefined);
    try {
      done(
        await requestReturn(o.id, {
          lines: chosen.map((l) => ({ sku: l.sku, quantity: qty[l.sku] })),
          reason,
          resolution,
          ...(resolution === "exchange" ? { exchange_lines: chosen.map((l) => ({ sku: exchange[l.sku], quantity: qty[l.sku] })) } : {}),
        }),
      );
      setOpen(false);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  const alternatives = (l: OrderLine) => ((l.slug && products[l.slug]?.variants) || []).filter((v) => !v.archived && v.sku !== l.sku && v.in_stock && (!l.color || v.color === l.color));
  if (!open)
    return (
      <button type="button" className="btn btn-secondary" onClick={() => setOpen(true)}>
        Return or exchange
      </button>
    );
  return (
    <form className="panel" onSubmit={submit}>
      <h3>Return or exchange</h3>
      {o.return_window_ends && <p className="muted small">You can return items until {new Date(o.return_window_ends).toLocaleDateString("en-IN", { dateStyle: "long" })}.</p>}
      <fieldset>
        <legend>What would you like?</legend>
        <label className="check">
          <input type="radio" name="resolution" checked={resolution === "refund"} onChange={() => setResolution("refund")} /> A refund
        </label>
        <label className="check">
          <input type="radio" name="resolution" checked={resolution === "exchange"} onChange={() => setResolution("exchange")} /> Another size (exchange)
        </label>
      </fieldset>
      <ul className="return-lines">
        {(o.lines ?? []).map((l) => (
          <li key={l.sku}>
            <label>
              <span>
                {l.title} {l.size && `· ${l.size}`}
              </span>
              <select value={qty[l.sku] ?? 0} onChange={(e) => setQty({ ...qty, [l.sku]: Number(e.target.value) })} aria-label={`How many ${l.title} to return`}>
                {Array.from({ length: l.quantity + 1 }, (_, n) => (
                  <option key={n} value={n}>
                    {n === 0 ? "Keep" : `Return ${n}`}
                  </option>
                ))}
              </select>
            </label>
            {resolution === "exchange" && (qty[l.sku] ?? 0) > 0 && (
              <label>
                <span>Exchange for</span>
                <select value={exchange[l.sku] ?? ""} onChange={(e) => setExchange({ ...exchange, [l.sku]: e.target.value })}>
                  <option value="">Choose a size…</option>
                  {alternatives(l).map((v) => (
                    <option key={v.sku} value={v.sku}>
                      {v.size} ({v.color})
                    </option>
                  ))}
                </select>
              </label>
            )}
          </li>
        ))}
      </ul>
      <label htmlFor="return-reason">Reason</label>
      <select id="return-reason" value={reason} onChange={(e) => setReason(e.target.value)}>
        <option value="size_too_small">Too small</option>
        <option value="size_too_large">Too large</option>
        <option value="not_as_described">Not as described</option>
        <option value="damaged">Arrived damaged</option>
        <option value="changed_mind">Changed my mind</option>
      </select>
      {error && <Notice>{error}</Notice>}
      <p className="actions">
        <button type="submit" className="btn" disabled={busy}>
          {busy ? "Sending…" : resolution === "exchange" ? "Request exchange" : "Request return"}
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => setOpen(false)}>
          Never mind
        </button>
      </p>
    </form>
  );
}

function Address({ a }: { a: Order["shipping_address"] }) {
  return (
    <address>
      {a.name && (
        <>
          {a.name}
          <br />
        </>
      )}
      {a.line1}
      {a.line2 ? `, ${a.line2}` : ""}
      <br />
      {a.landmark && (
        <>
          Near {a.landmark}
          <br />
        </>
      )}
      {a.city}, {stateName(a.state)} {a.postal_code}
      {a.phone && (
        <>
          <br />
          {a.phone}
        </>
      )}
    </address>
  );
}

const methodName: Record<string, string> = { card: "Card", upi: "UPI", wallet: "Wallet", netbanking: "Net banking", cod: "Cash on delivery" };

export default function OrderPage({ params }: { params: Record<string, string> }) {
  const loc = useLocation();
  const token = loc.query.get("token") ?? orderToken(params.id);
  const { order: o, setOrder, error, live, retry } = useLiveOrder(params.id, token ?? undefined);
  const cart = useCart();
  const refreshed = useRef(false);
  useEffect(() => {
    document.title = o ? `Order ${o.number} · Bazaar` : "Your order · Bazaar";
  }, [o?.number]);
  // A failed payment reopens the cart on the server: show it again.
  useEffect(() => {
    if (o && (o.status === "payment_failed" || o.status === "expired") && !refreshed.current) {
      refreshed.current = true;
      void cart.refresh();
    }
  }, [o?.status, cart, o]);
  if (error) return <ErrorState error={error} retry={retry} title="We couldn't load this order" />;
  if (!o) return <Spinner label="Loading your order…" />;
  const v = describeStatus(o);
  return (
    <div className="order">
      <p className="crumbs-simple">
        <Link to="/account/orders">Your orders</Link>
      </p>
      <h1>Order {o.number}</h1>
      <p className="muted">
        Placed {new Date(o.created_at).toLocaleString("en-IN", { dateStyle: "medium", timeStyle: "short" })} · confirmation to {o.email}
      </p>
      <section className={`status status-${v.tone}`} aria-live="polite" aria-atomic="true">
        <p className="status-label" data-status={o.status}>
          {v.label}
        </p>
        <p>{v.message}</p>
        <PaymentAction o={o} />
        {(o.status === "payment_failed" || o.status === "expired") && (
          <p className="actions">
            <button type="button" className="btn" onClick={() => navigate("/cart")}>
              Back to your bag
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => navigate("/checkout")}>
              Try another way to pay
            </button>
          </p>
        )}
        {o.tracking?.url && (
          <p>
            <a href={o.tracking.url} rel="noopener noreferrer" target="_blank">
              Track your parcel
            </a>
          </p>
        )}
        {live === "reconnecting" && <p className="muted small">Live updates paused: reconnecting…</p>}
        {live === "polling" && <p className="muted small">Checking for updates every few seconds.</p>}
      </section>
      <Progress o={o} />
      <div className="order-layout">
        <section aria-labelledby="items-h">
          <h2 id="items-h">Items</h2>
          <ul className="lines">
            {(o.lines ?? []).map((l) => (
              <li key={l.sku} className="line">
                <Link to={l.slug ? `/p/${l.slug}` : "#"} className="line-img" tabIndex={-1} aria-hidden="true">
                  {l.image ? <img src={l.image} alt="" width={72} height={96} loading="lazy" /> : <span className="img-missing" />}
                </Link>
                <div className="line-body">
                  <p className="line-title">
                    {l.brand && <span className="line-brand">{l.brand} </span>}
                    {l.slug ? <Link to={`/p/${l.slug}`}>{l.title ?? l.sku}</Link> : (l.title ?? l.sku)}
                  </p>
                  <p className="line-meta">
                    {l.size && <span>Size {l.size}</span>}
                    {l.color && <span>{l.color}</span>}
                    <span>Qty {l.quantity}</span>
                  </p>
                </div>
                <div className="line-price">
                  <strong>{formatMoney(l.total)}</strong>
                </div>
              </li>
            ))}
          </ul>
          {(o.returns ?? []).length > 0 && (
            <>
              <h2>Returns</h2>
              <ul className="plain">
                {o.returns!.map((r) => (
                  <li key={r.id}>
                    {r.resolution === "exchange" ? "Exchange" : "Return"} of {(r.lines ?? []).reduce((n, l) => n + l.quantity, 0)} item(s): {r.status.replace(/_/g, " ")}
                    {r.refund_amount ? ` · refund ${formatMoney(r.refund_amount)}` : ""}
                    {r.replacement_order_id && (
                      <>
                        {" "}
                        · <Link to={`/orders/${r.replacement_order_id}`}>replacement order</Link>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="actions">
            <CancelBox o={o} done={setOrder} />
            <ReturnBox o={o} done={setOrder} />
          </div>
        </section>
        <aside className="summary">
          <h2>Summary</h2>
          <dl className="totals">
            <div>
              <dt>Subtotal</dt>
              <dd>{formatMoney(o.totals.subtotal)}</dd>
            </div>
            {o.totals.discount.amount > 0 && (
              <div className="discount">
                <dt>Discounts</dt>
                <dd>{formatDiscount(o.totals.discount)}</dd>
              </div>
            )}
            <div>
              <dt>Shipping</dt>
              <dd>{o.totals.shipping.amount ? formatMoney(o.totals.shipping) : "Free"}</dd>
            </div>
            <div className="grand">
              <dt>Total</dt>
              <dd>{formatMoney(o.totals.total)}</dd>
            </div>
            <div className="tax">
              <dt>Includes GST</dt>
              <dd>{formatMoney(o.totals.tax)}</dd>
            </div>
          </dl>
          <h3>Delivering to</h3>
          <Address a={o.shipping_address} />
          <h3>Payment</h3>
          <p>
            {methodName[o.payment.method] ?? o.payment.method}
            {o.payment.card ? ` · ${o.payment.card.brand.toUpperCase()} ending ${o.payment.card.last4}` : ""}
            {o.payment.status ? ` · ${o.payment.status.replace(/_/g, " ")}` : ""}
          </p>
        </aside>
      </div>
    </div>
  );
}
