import { navigate } from "../router";
import { useCart } from "../state/cart";
import { checkoutBlocker, itemCount } from "../state/cartState";
import { CartError, CartLines, FreeShippingHint } from "./CartParts";
import { Dialog } from "./Dialog";
import { formatMoney } from "../lib/money";

export function CartDrawer() {
  const c = useCart();
  const { cart, drawerOpen } = c.state;
  const n = itemCount(cart);
  const go = (to: string) => {
    c.closeDrawer();
    navigate(to);
  };
  const blocker = checkoutBlocker(cart);
  return (
    <Dialog open={drawerOpen} onClose={c.closeDrawer} label="Your bag">
      <div className="drawer">
        <header className="drawer-head">
          <h2>
            Your bag {n > 0 && <span className="muted">({n} {n === 1 ? "item" : "items"})</span>}
          </h2>
          <button type="button" className="icon-btn" onClick={c.closeDrawer} aria-label="Close your bag" data-autofocus>
            ✕
          </button>
        </header>
        <CartError />
        {!cart || n === 0 ? (
          <div className="drawer-empty">
            <p>Your bag is empty.</p>
            <button type="button" className="btn" onClick={() => go("/")}>
              Start shopping
            </button>
          </div>
        ) : (
          <>
            <div className="drawer-body">
              <CartLines cart={cart} compact />
            </div>
            <footer className="drawer-foot">
              <p className="drawer-total">
                <span>Subtotal</span> <strong>{formatMoney(cart.totals.subtotal)}</strong>
              </p>
              <FreeShippingHint cart={cart} />
              {blocker && <p className="field-error">{blocker}</p>}
              <div className="drawer-actions">
                <button type="button" className="btn btn-secondary" onClick={() => go("/cart")}>
                  View bag
                </button>
                <button type="button" className="btn" disabled={!!blocker} onClick={() => go("/checkout")}>
                  Checkout
                </button>
              </div>
            </footer>
          </>
        )}
      </div>
    </Dialog>
  );
}
