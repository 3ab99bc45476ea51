import { useEffect } from "react";
import { CartError, CartLines, CouponForm, FreeShippingHint, Totals } from "../components/CartParts";
import { ErrorState, Spinner } from "../components/ErrorState";
import { Link, navigate } from "../router";
import { useCart } from "../state/cart";
import { checkoutBlocker, itemCount } from "../state/cartState";
import { useSession } from "../state/session";

export default function CartPage() {
  const c = useCart();
  const { user } = useSession();
  const { cart, loading, error } = c.state;
  useEffect(() => {
    document.title = "Your bag · Bazaar";
    c.closeDrawer();
    // Prices and stock are checked afresh on every read: show today's.
    void c.refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (loading) return <Spinner label="Loading your bag…" />;
  if (!cart && error) return <ErrorState error={new Error(error)} retry={() => void c.refresh()} title="We couldn't load your bag" />;
  const n = itemCount(cart);
  if (!cart || n === 0) {
    return (
      <div className="state">
        <h1>Your bag is empty</h1>
        <p>Find something you love: new arrivals land every week.</p>
        <p className="actions">
          <Link to="/collections/new-in" className="btn">
            Shop new arrivals
          </Link>
          {!user && (
            <Link to="/signin?next=/cart" className="btn btn-ghost">
              Sign in to see your saved bag
            </Link>
          )}
        </p>
      </div>
    );
  }
  const blocker = checkoutBlocker(cart);
  return (
    <div className="cart-page">
      <h1>
        Your bag <span className="muted">({n} {n === 1 ? "item" : "items"})</span>
      </h1>
      <div className="cart-layout">
        <section aria-label="Items">
          <CartError />
          {(cart.warnings ?? []).map((w) => (
            <p key={w.code} className="line-warning" role="status">
              {w.message}
            </p>
          ))}
          <CartLines cart={cart} />
        </section>
        <aside className="summary" aria-labelledby="summary-h">
          <h2 id="summary-h">Order summary</h2>
          <CouponForm cart={cart} />
          <Totals cart={cart} />
          <FreeShippingHint cart={cart} />
          {blocker && <p className="field-error">{blocker}</p>}
          <button type="button" className="btn btn-big" disabled={!!blocker || c.state.busy} onClick={() => navigate("/checkout")}>
            Checkout
          </button>
          {!user && (
            <p className="muted small">
              <Link to="/signin?next=/checkout">Sign in</Link> to check out faster with your saved addresses. Your bag comes with you.
            </p>
          )}
        </aside>
      </div>
    </div>
  );
}
