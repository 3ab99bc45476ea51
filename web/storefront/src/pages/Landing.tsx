import { useEffect, useState } from "react";
import { categories, collections, navCategories, productsByIds } from "../api/catalog";
import { api, call } from "../api/client";
import type { CategoryNode, Collection, ProductSummary } from "../api/types";
import { ErrorState } from "../components/ErrorState";
import { GridSkeleton, ProductGrid } from "../components/ProductCard";
import { useAsync } from "../lib/useAsync";
import { Link } from "../router";
import { useSession } from "../state/session";

function Hero({ items }: { items: Collection[] }) {
  if (!items.length) {
    return (
      <section className="hero">
        <Link to="/search" className="banner-card theme-0 big">
          <span className="banner-kicker">Bazaar</span>
          <span className="banner-title">Fashion for every occasion</span>
          <span className="btn btn-light">Shop now</span>
        </Link>
      </section>
    );
  }
  // The festive edit leads when there is one; the rest follow.
  const sorted = [...items].sort((a, b) => Number(b.slug.includes("festive")) - Number(a.slug.includes("festive")));
  return (
    <section className="hero" aria-label="Collections">
      {sorted.slice(0, 3).map((c, i) => (
        <Link key={c.id} to={`/collections/${c.slug}`} className={`banner-card theme-${i % 3}` + (i === 0 ? " big" : "")}>
          <span className="banner-kicker">Collection</span>
          <span className="banner-title">{c.name}</span>
          {c.description && <span className="banner-text">{c.description}</span>}
          <span className="btn btn-light" aria-hidden="true">
            Shop {c.name}
          </span>
        </Link>
      ))}
    </section>
  );
}

function CategoryStrip() {
  const [nav, setNav] = useState<CategoryNode[]>([]);
  useEffect(() => {
    categories().then((t) => setNav(navCategories(t)), () => setNav([]));
  }, []);
  if (!nav.length) return null;
  return (
    <section className="section" aria-labelledby="shop-by">
      <h2 id="shop-by">Shop by category</h2>
      <ul className="chips">
        {nav.flatMap((c) => (c.children?.length ? c.children : [c])).map((c) => (
          <li key={c.id}>
            <Link to={`/c/${c.slug}`} className="chip">
              {c.name}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Shelf({ id, title, link, products, error, retry, loading }: { id: string; title: string; link?: string; products?: ProductSummary[]; error?: unknown; retry?: () => void; loading: boolean }) {
  if (!loading && !error && products && products.length === 0) return null;
  return (
    <section className="section" aria-labelledby={id}>
      <div className="section-head">
        <h2 id={id}>{title}</h2>
        {link && (
          <Link to={link} className="see-all">
            See all<span className="visually-hidden"> {title}</span>
          </Link>
        )}
      </div>
      {error ? <ErrorState error={error} retry={retry} /> : products ? <ProductGrid products={products} label={title} /> : <GridSkeleton count={4} />}
    </section>
  );
}

export function Landing() {
  const { user } = useSession();
  useEffect(() => {
    document.title = "Bazaar · Indian fashion, delivered";
  }, []);
  const cols = useAsync(() => collections(), []);
  // One call renders the first grid.
  const fresh = useAsync((signal) => call(api.GET("/api/v1/products", { params: { query: { collection: "new-in", sort: "newest", page_size: "10" } }, signal })), []);
  // Personal picks for a signed-in shopper; bestsellers otherwise, or the sale when the shop has sold nothing yet.
  const picks = useAsync(
    async (signal) => {
      if (user === undefined) return undefined;
      const rec = await call(api.GET("/api/v1/me/recommendations", { params: { query: { limit: 10 } }, signal }));
      const ids = (rec.items ?? []).map((r) => r.product_id);
      if (ids.length) {
        const products = await productsByIds(ids, signal);
        if (products.length) return { title: rec.strategy === "personal" ? "Recommended for you" : "Bestsellers", products, link: undefined };
      }
      const sale = await call(api.GET("/api/v1/products", { params: { query: { collection: "sale", page_size: "10" } }, signal }));
      return { title: "On sale now", products: sale.items ?? [], link: "/collections/sale" };
    },
    [user?.id, user === undefined],
  );
  return (
    <div className="landing">
      <Hero items={cols.data ?? []} />
      <Shelf id="new-in" title="New arrivals" link="/collections/new-in" products={fresh.data?.items ?? undefined} error={fresh.error} retry={fresh.retry} loading={fresh.loading} />
      <CategoryStrip />
      {user !== undefined && (
        <Shelf id="picks" title={picks.data?.title ?? (user ? "Recommended for you" : "Bestsellers")} link={picks.data?.link} products={picks.data?.products} error={picks.error} retry={picks.retry} loading={picks.loading || !picks.data} />
      )}
    </div>
  );
}
