import { lazy, Suspense, useEffect, type ComponentType } from "react";
import { CartDrawer } from "./components/CartDrawer";
import { Spinner } from "./components/ErrorState";
import { Footer, Header, SessionBanner } from "./components/Header";
import { Landing } from "./pages/Landing";
import { match, useLocation } from "./router";
import { CartProvider } from "./state/cart";
import { SessionProvider } from "./state/session";

// Every page but the landing page loads on first use, so the landing page's
// JavaScript stays small.
const Listing = lazy(() => import("./pages/Listing"));
const ProductPage = lazy(() => import("./pages/Product"));
const CartPage = lazy(() => import("./pages/CartPage"));
const Checkout = lazy(() => import("./pages/Checkout"));
const OrderPage = lazy(() => import("./pages/Order"));
const Auth = lazy(() => import("./pages/Auth"));
const Account = lazy(() => import("./pages/Account"));
const NotFound = lazy(() => import("./pages/NotFound"));

type Route = [pattern: string, page: ComponentType<{ params: Record<string, string> }>];

const routes: Route[] = [
  ["/", Landing],
  ["/search", Listing],
  ["/c/:category", Listing],
  ["/collections/:collection", Listing],
  ["/p/:slug", ProductPage],
  ["/cart", CartPage],
  ["/checkout", Checkout],
  ["/orders/:id", OrderPage],
  ["/signin", Auth],
  ["/signup", Auth],
  ["/verify-email", Auth],
  ["/reset-password", Auth],
  ["/account", Account],
  ["/account/:tab", Account],
];

function Routes() {
  const { pathname } = useLocation();
  for (const [pattern, Page] of routes) {
    const params = match(pattern, pathname);
    if (params) return <Page params={params} />;
  }
  return <NotFound />;
}

export function App() {
  const { pathname } = useLocation();
  useEffect(() => {
    // Move keyboard and screen reader users to the new page's content.
    const main = document.getElementById("main");
    if (main && document.activeElement !== document.body) main.focus({ preventScroll: true });
  }, [pathname]);
  return (
    <SessionProvider>
      <CartProvider>
        <Header />
        <SessionBanner />
        <main id="main" tabIndex={-1}>
          <Suspense fallback={<Spinner />}>
            <Routes />
          </Suspense>
        </main>
        <Footer />
        <CartDrawer />
      </CartProvider>
    </SessionProvider>
  );
}
