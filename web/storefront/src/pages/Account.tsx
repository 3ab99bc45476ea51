import { useEffect, useState, type FormEvent } from "react";
import { api, call, describeError } from "../api/client";
import { myOrders } from "../api/orders";
import type { Address } from "../api/types";
import { ErrorState, Notice, Spinner } from "../components/ErrorState";
import { Field, SelectField } from "../components/Field";
import { normalisePhone, STATES, stateName, validPIN } from "../lib/india";
import { formatMoney } from "../lib/money";
import { describeStatus } from "../lib/orderStatus";
import { useAsync } from "../lib/useAsync";
import { Link, navigate } from "../router";
import { useSession } from "../state/session";

const TABS: [string, string][] = [
  ["", "Profile"],
  ["orders", "Orders"],
  ["addresses", "Addresses"],
  ["payments", "Payment methods"],
];

function Profile() {
  const s = useSession();
  const u = s.user!;
  const [name, setName] = useState(u.name);
  const [phone, setPhone] = useState(u.phone ?? "");
  const [msg, setMsg] = useState<{ kind: "success" | "error"; text: string }>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const p = phone.trim() ? normalisePhone(phone) : "";
    if (p === null) return setMsg({ kind: "error", text: "Enter a 10-digit mobile number." });
    try {
      s.setUser(await call(api.PATCH("/api/v1/me", { body: { name: name.trim(), phone: p || undefined } })));
      setMsg({ kind: "success", text: "Saved." });
    } catch (err) {
      setMsg({ kind: "error", text: describeError(err) });
    }
  }
  return (
    <form onSubmit={submit} className="narrow">
      <h2>Profile</h2>
      {msg && <Notice kind={msg.kind}>{msg.text}</Notice>}
      <Field label="Email" value={u.email} readOnly disabled hint={u.email_verified ? "Confirmed" : "Not confirmed yet"} />
      <Field label="Name" required value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />
      <Field label="Mobile number" type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} autoComplete="tel" />
      <button className="btn" type="submit">
        Save changes
      </button>
    </form>
  );
}

function Orders() {
  const res = useAsync(() => myOrders(), []);
  if (res.error) return <ErrorState error={res.error} retry={res.retry} title="We couldn't load your orders" />;
  if (!res.data) return <Spinner label="Loading your orders…" />;
  const items = res.data.items ?? [];
  return (
    <section>
      <h2>Orders</h2>
      {items.length === 0 ? (
        <p>
          You haven't ordered anything yet. <Link to="/">Start shopping</Link>
        </p>
      ) : (
        <ul className="order-list">
          {items.map((o) => (
            <li key={o.id}>
              <Link to={`/orders/${o.id}`} className="order-row">
                <span>
                  <strong>Order {o.number}</strong>
                  <span className="muted"> · {new Date(o.created_at).toLocaleDateString("en-IN", { dateStyle: "medium" })}</span>
                </span>
                <span>{(o.lines ?? []).reduce((n, l) => n + l.quantity, 0)} item(s)</span>
                <span>{formatMoney(o.totals.total)}</span>
                <span className={`pill pill-${describeStatus(o).tone}`}>{describeStatus(o).label}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const blank = { name: "", phone: "", line1: "", line2: "", landmark: "", city: "", state: "", postal_code: "" };

function Addresses() {
  const res = useAsync(async () => (await call(api.GET("/api/v1/me/addresses", {}))).items ?? [], []);
  const [form, setForm] = useState<typeof blank | null>(null);
  const [error, setError] = useState<string>();
  async function add(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    const phone = normalisePhone(form.phone);
    if (!phone) return setError("Enter a 10-digit mobile number.");
    if (!validPIN(form.postal_code)) return setError("Enter the 6-digit PIN code.");
    try {
      await call(api.POST("/api/v1/me/addresses", { body: { ...form, phone, country: "IN", default_shipping: !(res.data ?? []).length } }));
      setForm(null);
      setError(undefined);
      res.retry();
    } catch (err) {
      setError(describeError(err));
    }
  }
  async function remove(a: Address) {
    try {
      await call(api.DELETE("/api/v1/me/addresses/{id}", { params: { path: { id: a.id } } }));
      res.retry();
    } catch (err) {
      setError(describeError(err));
    }
  }
  async function makeDefault(a: Address) {
    try {
      await call(api.PATCH("/api/v1/me/addresses/{id}", { params: { path: { id: a.id } }, body: { default_shipping: true } }));
      res.retry();
    } catch (err) {
      setError(describeError(err));
    }
  }
  if (res.error) return <ErrorState error={res.error} retry={res.retry} />;
  if (!res.data) return <Spinner />;
  const f = (k: keyof typeof blank) => ({ value: form![k], onChange: (e: { target: { value: string } }) => setForm({ ...form!, [k]: e.target.value }) });
  return (
    <section>
      <h2>Addresses</h2>
      {error && <Notice>{error}</Notice>}
      <ul className="address-list">
        {res.data.map((a) => (
          <li key={a.id} className="panel">
            <p>
              <strong>{a.name}</strong> {a.default_shipping && <span className="pill pill-good">Default</span>}
            </p>
            <p>
              {a.line1}
              {a.line2 ? `, ${a.line2}` : ""}, {a.city}, {stateName(a.state)} {a.postal_code}
            </p>
            <p className="muted">{a.phone}</p>
            <p className="actions">
              {!a.default_shipping && (
                <button type="button" className="link-btn" onClick={() => makeDefault(a)}>
                  Make default
                </button>
              )}
              <button type="button" className="link-btn" onClick={() => remove(a)} aria-label={`Remove the address ${a.line1}`}>
                Remove
              </button>
            </p>
          </li>
        ))}
      </ul>
      {form ? (
        <form onSubmit={add} className="panel form-grid">
          <Field label="Full name" required {...f("name")} autoComplete="name" />
          <Field label="Mobile number" type="tel" required {...f("phone")} autoComplete="tel" />
          <Field label="House, building, street" required {...f("line1")} className="wide" autoComplete="address-line1" />
          <Field label="Area, locality" {...f("line2")} className="wide" autoComplete="address-line2" />
          <Field label="Landmark" {...f("landmark")} />
          <Field label="Town or city" required {...f("city")} autoComplete="address-level2" />
          <SelectField label="State" required value={form.state} onChange={(e) => setForm({ ...form, state: e.target.value })}>
            <option value="">Choose…</option>
            {STATES.map(([c, n]) => (
              <option key={c} value={c}>
                {n}
              </option>
            ))}
          </SelectField>
          <Field label="PIN code" required inputMode="numeric" maxLength={6} {...f("postal_code")} autoComplete="postal-code" />
          <p className="actions wide">
            <button className="btn" type="submit">
              Save address
            </button>
            <button className="btn btn-ghost" type="button" onClick={() => setForm(null)}>
              Cancel
            </button>
          </p>
        </form>
      ) : (
        <button type="button" className="btn btn-secondary" onClick={() => setForm(blank)}>
          Add an address
        </button>
      )}
    </section>
  );
}

function Payments() {
  const res = useAsync(async () => ((await call(api.GET("/api/v1/payments/methods", {}))).items ?? []).filter((m) => m.saved), []);
  const [error, setError] = useState<string>();
  if (res.error) return <ErrorState error={res.error} retry={res.retry} />;
  if (!res.data) return <Spinner />;
  async function remove(id: string) {
    try {
      await call(api.DELETE("/api/v1/payments/methods/{id}", { params: { path: { id } } }));
      res.retry();
    } catch (err) {
      setError(describeError(err));
    }
  }
  return (
    <section>
      <h2>Payment methods</h2>
      {error && <Notice>{error}</Notice>}
      {res.data.length === 0 ? (
        <p>No saved cards or UPI IDs. Tick “Save this card” at checkout to pay faster next time.</p>
      ) : (
        <ul className="address-list">
          {res.data.map((m) => (
            <li key={m.id} className="panel">
              <p>
                {m.card
                  ? `${m.card.brand.toUpperCase()} ending ${m.card.last4} · expires ${String(m.card.exp_month).padStart(2, "0")}/${String(m.card.exp_year).slice(-2)}`
                  : m.upi
                    ? `UPI ${m.upi.vpa}`
                    : m.type}
              </p>
              <button type="button" className="link-btn" onClick={() => remove(m.id)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function Account({ params }: { params: Record<string, string> }) {
  const s = useSession();
  const tab = params.tab ?? "";
  useEffect(() => {
    document.title = "Your account · Bazaar";
    if (s.user === null) navigate(`/signin?next=${encodeURIComponent("/account" + (tab ? "/" + tab : ""))}`, { replace: true });
  }, [s.user, tab]);
  if (!s.user) return <Spinner />;
  return (
    <div className="account">
      <h1>Hello, {s.user.name.split(" ")[0]}</h1>
      <div className="account-layout">
        <nav aria-label="Account" className="tabs">
          <ul>
            {TABS.map(([t, label]) => (
              <li key={t}>
                <Link to={"/account" + (t ? "/" + t : "")} aria-current={tab === t ? "page" : undefined}>
                  {label}
                </Link>
              </li>
            ))}
            <li>
              <button
                type="button"
                className="link-btn"
                onClick={async () => {
                  await s.signOut();
                  navigate("/");
                }}
              >
                Sign out
              </button>
            </li>
          </ul>
        </nav>
        <div className="tab-body">{tab === "orders" ? <Orders /> : tab === "addresses" ? <Addresses /> : tab === "payments" ? <Payments /> : <Profile />}</div>
      </div>
    </div>
  );
}
