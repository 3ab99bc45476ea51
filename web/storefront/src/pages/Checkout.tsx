import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError, NetworkError, api, call, describeError, newKey } from "../api/client";
import { checkout, rememberOrderToken, type CheckoutRequest, type OrderAddress, type PaymentChoice } from "../api/orders";
import type { Address, Cart, PaymentMethod } from "../api/types";
import { CartLines, Totals } from "../components/CartParts";
import { Notice, Spinner } from "../components/ErrorState";
import { Field, SelectField } from "../components/Field";
import { formatCardNumber, luhn, normalisePhone, parseExpiry, STATES, stateName, validPIN } from "../lib/india";
import { formatMoney } from "../lib/money";
import { useAsync } from "../lib/useAsync";
import { Link, navigate } from "../router";
import { useCart } from "../state/cart";
import { checkoutBlocker } from "../state/cartState";
import { useSession } from "../state/session";

type Method = PaymentChoice["method"];

const WALLETS: [string, string][] = [["paytm", "Paytm"], ["phonepe", "PhonePe"], ["amazonpay", "Amazon Pay"], ["mobikwik", "MobiKwik"], ["freecharge", "Freecharge"], ["airtelmoney", "Airtel Money"], ["jiomoney", "JioMoney"]];
const BANKS: [string, string][] = [["HDFC", "HDFC Bank"], ["ICIC", "ICICI Bank"], ["SBIN", "State Bank of India"], ["UTIB", "Axis Bank"], ["KKBK", "Kotak Mahindra Bank"]];

interface AddressForm {
  name: string;
  phone: string;
  line1: string;
  line2: string;
  landmark: string;
  city: string;
  state: string;
  postal_code: string;
}

const emptyAddress: AddressForm = { name: "", phone: "", line1: "", line2: "", landmark: "", city: "", state: "", postal_code: "" };

type Errors = Partial<Record<string, string>>;

function validateAddress(a: AddressForm): Errors {
  const e: Errors = {};
  if (!a.name.trim()) e.name = "Enter the name of the person receiving the parcel.";
  if (!normalisePhone(a.phone)) e.phone = "Enter a 10-digit mobile number, e.g. 98123 45678.";
  if (!a.line1.trim()) e.line1 = "Enter the house number and street.";
  if (!a.city.trim()) e.city = "Enter the town or city.";
  if (!a.state) e.state = "Choose the state.";
  if (!validPIN(a.postal_code)) e.postal_code = "Enter the 6-digit PIN code.";
  return e;
}

function toOrderAddress(a: AddressForm): OrderAddress {
  return {
    name: a.name.trim(),
    phone: normalisePhone(a.phone) ?? a.phone,
    line1: a.line1.trim(),
    line2: a.line2.trim() || undefined,
    landmark: a.landmark.trim() || undefined,
    city: a.city.trim(),
    state: a.state,
    postal_code: a.postal_code.trim(),
    country: "IN",
  };
}

function AddressFields({ a, set, errors, pinNote, onPinBlur }: { a: AddressForm; set: (a: AddressForm) => void; errors: Errors; pinNote?: string; onPinBlur: () => void }) {
  const f = (k: keyof AddressForm) => ({ value: a[k], onChange: (e: { target: { value: string } }) => set({ ...a, [k]: e.target.value }), error: errors[k], name: k });
  return (
    <div className="form-grid">
      <Field label="Full name" autoComplete="shipping name" required {...f("name")} />
      <Field label="Mobile number" type="tel" inputMode="tel" autoComplete="shipping tel" required {...f("phone")} hint="For the delivery person." />
      <Field label="PIN code" inputMode="numeric" autoComplete="shipping postal-code" required maxLength={6} {...f("postal_code")} onBlur={onPinBlur} hint={pinNote} className="pin" />
      <Field label="House, building, street" autoComplete="shipping address-line1" required {...f("line1")} className="wide" />
      <Field label="Area, locality" autoComplete="shipping address-line2" {...f("line2")} className="wide" />
      <Field label="Landmark" {...f("landmark")} />
      <Field label="Town or city" autoComplete="shipping address-level2" required {...f("city")} />
      <SelectField label="State" autoComplete="shipping address-level1" required value={a.state} onChange={(e) => set({ ...a, state: e.target.value })} error={errors.state} name="state">
        <option value="">Choose…</option>
        {STATES.map(([code, name]) => (
          <option key={code} value={code}>
            {name}
          </option>
        ))}
      </SelectField>
    </div>
  );
}

function savedToForm(s: Address): AddressForm {
  return { name: s.name, phone: s.phone, line1: s.line1, line2: s.line2 ?? "", landmark: s.landmark ?? "", city: s.city, state: s.state, postal_code: s.postal_code };
}

export default function Checkout() {
  const c = useCart();
  const { user } = useSession();
  const cart = c.state.cart;
  const [email, setEmail] = useState("");
  const [addr, setAddr] = useState<AddressForm>(emptyAddress);
  const [savedId, setSavedId] = useState<string>("");
  const [saveAddress, setSaveAddress] = useState(true);
  const [pinNote, setPinNote] = useState<string>();
  const [pinError, setPinError] = useState<string>();
  const [method, setMethod] = useState<Method>("card");
  const [card, setCard] = useState({ number: "", expiry: "", cvc: "", name: "" });
  const [savedCard, setSavedCard] = useState<string>("");
  const [saveCard, setSaveCard] = useState(false);
  const [vpa, setVpa] = useState("");
  const [wallet, setWallet] = useState(WALLETS[0][0]);
  const [bank, setBank] = useState(BANKS[0][0]);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<{ message: string; retry?: boolean; toCart?: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  // One Idempotency-Key per attempt; a retry after a network failure sends the
  // same key and body, so an order that did go through is not placed twice.
  const attempt = useRef<{ key: string; body: string } | null>(null);
  const tokens = useRef(new Map<string, string>());

  useEffect(() => {
    document.title = "Checkout · Bazaar";
    c.closeDrawer();
    void c.refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const book = useAsync(async (signal) => (user ? ((await call(api.GET("/api/v1/me/addresses", { signal }))).items ?? []) : []), [user?.id]);
  const methods = useAsync(async (signal) => (user ? ((await call(api.GET("/api/v1/payments/methods", { signal }))).items ?? []).filter((m: PaymentMethod) => m.type === "card" && m.saved) : []), [user?.id]);

  // A member starts from their default address and saved card.
  useEffect(() => {
    const list = book.data ?? [];
    if (list.length && !savedId && addr === emptyAddress) {
      const d = list.find((x) => x.default_shipping) ?? list[0];
      setSavedId(d.id);
      void checkPIN(savedToForm(d));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [book.data]);
  useEffect(() => {
    if (methods.data?.length && !savedCard) setSavedCard(methods.data[0].id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [methods.data]);

  const chosen: AddressForm = savedId ? savedToForm((book.data ?? []).find((x) => x.id === savedId)!) : addr;

  async function checkPIN(a: AddressForm): Promise<Cart | null> {
    if (!validPIN(a.postal_code) || !a.state) return null;
    try {
      const updated = await c.setShippingAddress({ ...toOrderAddress(a), phone: normalisePhone(a.phone) ?? undefined });
      const s = updated.shipping;
      setPinError(undefined);
      setPinNote(
        `We deliver to ${a.postal_code} (${stateName(a.state)}): shipping ${s.charged.amount === 0 ? "free" : formatMoney(s.charged)}` + (s.cod_available ? ", cash on delivery available." : ". Cash on delivery is not available here."),
      );
      if (!s.cod_available && method === "cod") setMethod("card");
      return updated;
    } catch (e) {
      setPinNote(undefined);
      setPinError(describeError(e));
      return null;
    }
  }

  if (c.state.loading) return <Spinner label="Loading your bag…" />;
  if (!cart || !cart.lines?.length) {
    return (
      <div className="state">
        <h1>Your bag is empty</h1>
        <p>Add something to your bag to check out.</p>
        <Link to="/" className="btn">
          Continue shopping
        </Link>
      </div>
    );
  }
  const blocker = checkoutBlocker(cart);
  const cod = cart.shipping.cod_available;

  function validate(): Errors {
    const e: Errors = {};
    if (!user && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim())) e.email = "Enter your email address: we send the order confirmation there.";
    if (!savedId) Object.assign(e, validateAddress(addr));
    if (method === "card" && !savedCard) {
      if (!luhn(card.number)) e.number = "Check the card number.";
      if (!parseExpiry(card.expiry)) e.expiry = "Enter a valid expiry date, MM/YY.";
      if (!/^\d{3,4}$/.test(card.cvc)) e.cvc = "Enter the 3- or 4-digit security code.";
    }
    if (method === "upi" && !/^[\w.-]+@[\w.-]+$/.test(vpa.trim())) e.vpa = "A UPI ID looks like name@bank.";
    return e;
  }

  async function payment(): Promise<PaymentChoice> {
    switch (method) {
      case "card": {
        if (savedCard) return { method: "card", token: savedCard };
        const exp = parseExpiry(card.expiry)!;
        const number = card.number.replace(/\D/g, "");
        const fp = [number, exp.month, exp.year, card.cvc, saveCard].join("|");
        let token = tokens.current.get(fp);
        if (!token) {
          // The card number goes to the payment service only, which answers with a token.
          const m = await call(
            api.POST("/api/v1/payments/methods", {
              body: { type: "card", card: { number, exp_month: exp.month, exp_year: exp.year, cvc: card.cvc, name: card.name.trim() || undefined }, save: !!user && saveCard },
            }),
          );
          token = m.id;
          tokens.current.set(fp, token);
        }
        return { method: "card", token };
      }
      case "upi":
        return { method: "upi", upi: { vpa: vpa.trim() } };
      case "wallet":
        return { method: "wallet", wallet: { wallet } };
      case "netbanking":
        return { method: "netbanking", netbanking: { bank } };
      case "cod":
        return { method: "cod" };
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const errs = validate();
    setErrors(errs);
    if (Object.keys(errs).length) {
      const first = Object.keys(errs)[0];
      document.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    setBusy(true);
    try {
      // The PIN check also makes sure the cart is priced for this address.
      const priced = (await checkPIN(chosen)) ?? cart;
      if (!priced?.shipping || pinError) {
        setBusy(false);
        return;
      }
      if (method === "cod" && !priced.shipping.cod_available) {
        setFailure({ message: "Cash on delivery isn't available for this address. Choose another way to pay." });
        setBusy(false);
        return;
      }
      if (!savedId && user && saveAddress) {
        // Best effort: the order does not depend on the address book.
        await call(api.POST("/api/v1/me/addresses", { body: { ...toOrderAddress(addr), default_shipping: !(book.data ?? []).length } })).catch(() => undefined);
      }
      const req: CheckoutRequest = {
        cart_id: priced.id,
        quote_hash: priced.quote_hash,
        ...(user ? {} : { email: email.trim() }),
        ...(savedId ? { shipping_address_id: savedId } : { shipping_address: toOrderAddress(addr) }),
        payment: await payment(),
      };
      const body = JSON.stringify(req);
      if (!attempt.current || attempt.current.body !== body) attempt.current = { key: newKey(), body };
      const accepted = await checkout(req, attempt.current.key, c.guestToken());
      attempt.current = null;
      if (accepted.order_token) rememberOrderToken(accepted.order_id, accepted.order_token);
      await c.afterCheckout();
      navigate(`/orders/${accepted.order_id}`);
    } catch (err) {
      setBusy(false);
      if (err instanceof NetworkError) {
        setFailure({ message: "We couldn't reach the shop, so we don't know yet whether your order was placed. Check your connection and press “Place order” again: you won't be charged twice.", retry: true });
        return;
      }
      attempt.current = null;
      if (err instanceof ApiError) {
        switch (err.code) {
          case "out_of_stock":
          case "insufficient_stock":
            await c.refresh();
            setFailure({ message: `Sorry, something in your bag sold out while you were checking out${err.message ? ": " + err.message : ""}. Your bag shows what's left.`, toCart: true });
            return;
          case "quote_changed":
            await c.refresh();
            setFailure({ message: "Prices or offers in your bag changed since you opened checkout. Check the new total below, then place your order again." });
            return;
          case "cart_closed":
            await c.afterCheckout();
            setFailure({ message: "This bag was already checked out. If you didn't place that order, start again from your bag.", toCart: true });
            return;
          case "cart_not_ready":
            await c.refresh();
            setFailure({ message: describeError(err), toCart: true });
            return;
        }
        if (err.fields.length) {
          const fe: Errors = {};
          for (const f of err.fields) fe[f.field.split(".").pop() ?? f.field] = f.message;
          setErrors(fe);
        }
      }
      setFailure({ message: describeError(err) });
    }
  }

  const errs = errors;
  return (
    <div className="checkout">
      <h1>Checkout</h1>
      <form className="checkout-layout" onSubmit={submit} noValidate>
        <div className="checkout-steps">
          <section className="step" aria-labelledby="s-contact">
            <h2 id="s-contact">1. Contact</h2>
            {user ? (
              <p>
                Signed in as <strong>{user.email}</strong>. We'll send the confirmation there.
              </p>
            ) : (
              <>
                <Field label="Email" type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={errs.email} hint="For your order confirmation and updates." />
                <p className="muted small">
                  Have an account? <Link to="/signin?next=/checkout">Sign in</Link> to use your saved addresses. Your bag comes with you.
                </p>
              </>
            )}
          </section>

          <section className="step" aria-labelledby="s-address">
            <h2 id="s-address">2. Delivery address</h2>
            {(book.data ?? []).length > 0 && (
              <fieldset className="saved-list">
                <legend className="visually-hidden">Your addresses</legend>
                {book.data!.map((a) => (
                  <label key={a.id} className={"saved" + (savedId === a.id ? " on" : "")}>
                    <input type="radio" name="saved-address" checked={savedId === a.id} onChange={() => (setSavedId(a.id), void checkPIN(savedToForm(a)))} />
                    <span>
                      <strong>{a.name}</strong> · {a.line1}
                      {a.line2 ? ", " + a.line2 : ""}, {a.city}, {stateName(a.state)} {a.postal_code} · {a.phone}
                    </span>
                  </label>
                ))}
                <label className={"saved" + (savedId === "" ? " on" : "")}>
                  <input type="radio" name="saved-address" checked={savedId === ""} onChange={() => setSavedId("")} />
                  <span>A new address</span>
                </label>
              </fieldset>
            )}
            {!savedId && (
              <>
                <AddressFields
                  a={addr}
                  set={(a) => {
                    setAddr(a);
                    if (a.postal_code !== addr.postal_code || a.state !== addr.state) {
                      setPinNote(undefined);
                      setPinError(undefined);
                    }
                  }}
                  errors={{ ...errs, postal_code: errs.postal_code ?? pinError }}
                  pinNote={pinNote}
                  onPinBlur={() => void checkPIN(addr)}
                />
                {user && (
                  <label className="check">
                    <input type="checkbox" checked={saveAddress} onChange={(e) => setSaveAddress(e.target.checked)} /> Save this address to my account
                  </label>
                )}
              </>
            )}
            {savedId && (pinNote || pinError) && <p className={pinError ? "field-error" : "hint"}>{pinError ?? pinNote}</p>}
          </section>

          <section className="step" aria-labelledby="s-ship">
            <h2 id="s-ship">3. Delivery</h2>
            <label className="saved on">
              <input type="radio" name="shipping" checked readOnly />
              <span>
                <strong>Standard delivery</strong> · {cart.shipping.charged.amount === 0 ? "Free" : formatMoney(cart.shipping.charged)}
                {cart.shipping.estimated && <span className="muted"> (enter your PIN code for the exact charge)</span>}
              </span>
            </label>
          </section>

          <section className="step" aria-labelledby="s-pay">
            <h2 id="s-pay">4. Payment</h2>
            <div className="pay-tabs" role="radiogroup" aria-label="How you'd like to pay">
              {(
                [
                  ["card", "Card"],
                  ["upi", "UPI"],
                  ["wallet", "Wallet"],
                  ["netbanking", "Net banking"],
                  ["cod", "Cash on delivery"],
                ] as [Method, string][]
              ).map(([m, label]) => (
                <label key={m} className={"pay-tab" + (method === m ? " on" : "") + (m === "cod" && !cod ? " disabled" : "")}>
                  <input type="radio" name="method" value={m} checked={method === m} disabled={m === "cod" && !cod} onChange={() => setMethod(m)} />
                  {label}
                </label>
              ))}
            </div>
            {method === "cod" && !cod && <p className="hint">Cash on delivery isn't available for this address.</p>}
            {method === "card" && (
              <div className="pay-panel">
                {(methods.data ?? []).length > 0 && (
                  <fieldset className="saved-list">
                    <legend className="visually-hidden">Saved cards</legend>
                    {methods.data!.map((m) => (
                      <label key={m.id} className={"saved" + (savedCard === m.id ? " on" : "")}>
                        <input type="radio" name="saved-card" checked={savedCard === m.id} onChange={() => setSavedCard(m.id)} />
                        <span>
                          {m.card ? `${m.card.brand.toUpperCase()} ending ${m.card.last4}, expires ${String(m.card.exp_month).padStart(2, "0")}/${String(m.card.exp_year).slice(-2)}` : "Saved card"}
                        </span>
                      </label>
                    ))}
                    <label className={"saved" + (savedCard === "" ? " on" : "")}>
                      <input type="radio" name="saved-card" checked={savedCard === ""} onChange={() => setSavedCard("")} />
                      <span>A new card</span>
                    </label>
                  </fieldset>
                )}
                {!savedCard && (
                  <div className="form-grid">
                    <Field
                      label="Card number"
                      name="number"
                      inputMode="numeric"
                      autoComplete="cc-number"
                      required
                      value={card.number}
                      onChange={(e) => setCard({ ...card, number: formatCardNumber(e.target.value) })}
                      error={errs.number}
                      className="wide"
                    />
                    <Field label="Expiry (MM/YY)" name="expiry" inputMode="numeric" autoComplete="cc-exp" placeholder="MM/YY" required value={card.expiry} onChange={(e) => setCard({ ...card, expiry: e.target.value })} error={errs.expiry} />
                    <Field label="Security code (CVV)" name="cvc" inputMode="numeric" autoComplete="cc-csc" required maxLength={4} value={card.cvc} onChange={(e) => setCard({ ...card, cvc: e.target.value.replace(/\D/g, "") })} error={errs.cvc} />
                    <Field label="Name on card" name="cardname" autoComplete="cc-name" value={card.name} onChange={(e) => setCard({ ...card, name: e.target.value })} className="wide" />
                    {user && (
                      <label className="check wide">
                        <input type="checkbox" checked={saveCard} onChange={(e) => setSaveCard(e.target.checked)} /> Save this card for next time
                      </label>
                    )}
                  </div>
                )}
                <p className="muted small">Your card number goes straight to our payment service and is never stored with your order. Your bank may ask you to confirm the payment.</p>
              </div>
            )}
            {method === "upi" && (
              <div className="pay-panel">
                <Field label="UPI ID" name="vpa" autoComplete="off" placeholder="name@bank" required value={vpa} onChange={(e) => setVpa(e.target.value)} error={errs.vpa} hint="You'll approve the payment in your UPI app." />
              </div>
            )}
            {method === "wallet" && (
              <div className="pay-panel">
                <SelectField label="Wallet" name="wallet" value={wallet} onChange={(e) => setWallet(e.target.value)}>
                  {WALLETS.map(([v, l]) => (
                    <option key={v} value={v}>
                      {l}
                    </option>
                  ))}
                </SelectField>
                <p className="hint">You'll be taken to the wallet to pay.</p>
              </div>
            )}
            {method === "netbanking" && (
              <div className="pay-panel">
                <SelectField label="Bank" name="bank" value={bank} onChange={(e) => setBank(e.target.value)}>
                  {BANKS.map(([v, l]) => (
                    <option key={v} value={v}>
                      {l}
                    </option>
                  ))}
                </SelectField>
                <p className="hint">You'll be taken to your bank to pay.</p>
              </div>
            )}
            {method === "cod" && cod && (
              <div className="pay-panel">
                <p>Pay in cash or by UPI when your order arrives.</p>
              </div>
            )}
          </section>
        </div>

        <aside className="summary" aria-labelledby="sum-h">
          <h2 id="sum-h">Your order</h2>
          <CartLines cart={cart} compact readOnly />
          <p className="small">
            <Link to="/cart">Change your bag</Link>
          </p>
          <Totals cart={cart} />
          {failure && (
            <Notice>
              {failure.message} {failure.toCart && <Link to="/cart">Review your bag</Link>}
            </Notice>
          )}
          {blocker && (
            <Notice kind="warning">
              {blocker} <Link to="/cart">Review your bag</Link>
            </Notice>
          )}
          <button type="submit" className="btn btn-big" disabled={busy || !!blocker}>
            {busy ? "Placing your order…" : failure?.retry ? "Try again" : `Place order · ${formatMoney(cart.totals.grand)}`}
          </button>
          <p className="muted small">By placing your order you agree to pay the total shown, GST included.</p>
        </aside>
      </form>
    </div>
  );
}
