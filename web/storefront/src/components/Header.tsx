import { useEffect, useState } from "react";
import { categories, navCategories } from "../api/catalog";
import type { CategoryNode } from "../api/types";
import { Link, useLocation } from "../router";
import { useCart } from "../state/cart";
import { itemCount } from "../state/cartState";
import { useSession } from "../state/session";
import { SearchBox } from "./SearchBox";

export function Header() {
  const { user } = useSession();
  const cart = useCart();
  const n = itemCount(cart.state.cart);
  const [nav, setNav] = useState<CategoryNode[]>([]);
  const [menu, setMenu] = useState(false);
  const loc = useLocation();
  useEffect(() => {
    categories().then((t) => setNav(navCategories(t)), () => setNav([]));
  }, []);
  useEffect(() => setMenu(false), [loc.pathname, loc.search]);
  return (
    <header className="site-header">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <div className="bar">
        <button type="button" className="icon-btn menu-btn" aria-expanded={menu} aria-controls="site-nav" onClick={() => setMenu((m) => !m)}>
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <Link to="/" className="logo" aria-label="Bazaar home">
          Bazaar
        </Link>
        <SearchBox />
        <nav className="tools" aria-label="Your account">
          <Link to={user ? "/account" : "/signin"} className="tool">
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <circle cx="12" cy="8" r="4" fill="none" stroke="currentColor" strokeWidth="2" />
              <path d="M4 21c1.5-4 4.5-6 8-6s6.5 2 8 6" fill="none" stroke="currentColor" strokeWidth="2" />
            </svg>
            <span className="tool-label">{user ? user.name.split(" ")[0] || "Account" : "Sign in"}</span>
          </Link>
          <button type="button" className="tool cart-btn" onClick={cart.openDrawer}>
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <path d="M5 8h14l-1 13H6L5 8Z" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
              <path d="M9 8V6a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" strokeWidth="2" />
            </svg>
            <span className="tool-label">Bag</span>
            <span className="visually-hidden">, {n} {n === 1 ? "item" : "items"}</span>
            {n > 0 && (
              <span className="count" aria-hidden="true">
                {n}
              </span>
            )}
          </button>
        </nav>
      </div>
      <nav id="site-nav" className={"cats" + (menu ? " open" : "")} aria-label="Categories">
        <ul>
          {nav.map((c) => (
            <li key={c.id}>
              <Link to={`/c/${c.slug}`} aria-current={loc.pathname === `/c/${c.slug}` ? "page" : undefined}>
                {c.name}
              </Link>
            </li>
          ))}
          <li>
            <Link to="/collections/sale" className="sale-link">
              Sale
            </Link>
          </li>
        </ul>
      </nav>
    </header>
  );
}

export function SessionBanner() {
  const s = useSession();
  if (!s.expired) return null;
  return (
    <div className="banner" role="alert">
      Your session has expired, so you've been signed out. <Link to={`/signin?next=${encodeURIComponent(window.location.pathname + window.location.search)}`} onClick={s.dismissExpired}>Sign in again</Link>{" "}
      <button type="button" className="link-btn" onClick={s.dismissExpired}>
        Dismiss
      </button>
    </div>
  );
}

export function Footer() {
  return (
    <footer className="site-footer">
      <div>
        <p className="logo small">Bazaar</p>
        <p>Indian fashion, delivered across India. Prices include GST.</p>
      </div>
      <nav aria-label="Help">
        <ul>
          <li>
            <Link to="/account/orders">Your orders</Link>
          </li>
          <li>
            <Link to="/cart">Your bag</Link>
          </li>
          <li>
            <a href="/api/v1/docs">API</a>
          </li>
        </ul>
      </nav>
    </footer>
  );
}
