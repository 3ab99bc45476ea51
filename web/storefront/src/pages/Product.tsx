import { useEffect, useMemo, useState } from "react";
import { api, call } from "../api/client";
import type { Product } from "../api/types";
import { Notice, ErrorState, Spinner } from "../components/ErrorState";
import { Price } from "../components/Price";
import { GridSkeleton, ProductGrid } from "../components/ProductCard";
import { useAsync } from "../lib/useAsync";
import { colours, defaultColour, sizesFor } from "../lib/variants";
import { Link, navigate, useLocation } from "../router";
import { useCart } from "../state/cart";

function Gallery({ p }: { p: Product }) {
  const images = p.images?.length ? p.images : [];
  const [i, setI] = useState(0);
  useEffect(() => setI(0), [p.id]);
  const img = images[i];
  return (
    <div className="gallery">
      <div className="gallery-main">
        {img ? <img src={img.url} alt={img.alt || p.title} width={600} height={800} /> : <span className="img-missing big" role="img" aria-label={p.title} />}
      </div>
      {images.length > 1 && (
        <ul className="thumbs" aria-label="More pictures">
          {images.map((im, n) => (
            <li key={im.url}>
              <button type="button" className={n === i ? "on" : ""} aria-pressed={n === i} aria-label={`Picture ${n + 1} of ${images.length}`} onClick={() => setI(n)}>
                <img src={im.url} alt="" width={72} height={96} loading="lazy" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Buy({ p }: { p: Product }) {
  const cart = useCart();
  const loc = useLocation();
  const variants = p.variants ?? [];
  const cols = colours(variants);
  const [colour, setColour] = useState(() => {
    const want = loc.query.get("color");
    return want && cols.includes(want) ? want : defaultColour(variants);
  });
  const sizes = sizesFor(variants, colour);
  const [size, setSize] = useState<string>(() => (sizes.length === 1 && !sizes[0].soldOut ? sizes[0].size : ""));
  const [tried, setTried] = useState(false);
  const [added, setAdded] = useState(false);
  const chosen = sizes.find((s) => s.size === size);
  const shownVariant = chosen?.variant ?? sizes.find((s) => !s.soldOut)?.variant ?? sizes[0]?.variant;
  const allSoldOut = sizes.every((s) => s.soldOut);

  function pickColour(c: string) {
    setColour(c);
    const next = sizesFor(variants, c);
    const same = next.find((s) => s.size === size && !s.soldOut);
    setSize(same ? same.size : next.length === 1 && !next[0].soldOut ? next[0].size : "");
    navigate(`/p/${p.slug}?color=${encodeURIComponent(c)}`, { replace: true, keepScroll: true });
  }

  async function add() {
    setTried(true);
    if (!chosen || chosen.soldOut) return;
    setAdded(false);
    if (await cart.add(chosen.variant.sku, 1)) setAdded(true);
  }

  return (
    <div className="buy">
      {shownVariant && <Price price={shownVariant.price} compareAt={shownVariant.compare_at_price} className="big" />}
      <p className="muted small">Inclusive of all taxes</p>
      {cols.length > 0 && (
        <fieldset className="choice">
          <legend>
            Colour: <strong>{colour}</strong>
          </legend>
          <div className="options">
            {cols.map((c) => {
              const anyStock = sizesFor(variants, c).some((s) => !s.soldOut);
              return (
                <button key={c} type="button" className={"opt" + (c === colour ? " on" : "") + (anyStock ? "" : " sold-out")} aria-pressed={c === colour} onClick={() => pickColour(c)}>
                  {c}
                  {!anyStock && <span className="visually-hidden"> (sold out)</span>}
                </button>
              );
            })}
          </div>
        </fieldset>
      )}
      <fieldset className="choice">
        <legend>
          Size{size ? ": " : ""}
          {size && <strong>{size}</strong>}
        </legend>
        <div className="options sizes">
          {sizes.map((s) => (
            <button
              key={s.variant.sku}
              type="button"
              className={"opt size" + (s.size === size ? " on" : "") + (s.soldOut ? " sold-out" : "")}
              aria-pressed={s.size === size}
              disabled={s.soldOut}
              aria-label={`${s.size}${s.soldOut ? ", sold out" : s.note ? ", " + s.note.toLowerCase() : ""}`}
              title={s.soldOut ? "Sold out" : s.note || undefined}
              onClick={() => {
                setSize(s.size);
                setAdded(false);
              }}
            >
              {s.size}
              {s.note && <span className="opt-note">{s.note}</span>}
            </button>
          ))}
        </div>
        {chosen?.note && (
          <p className="stock-note" role="status">
            {chosen.note} in {chosen.size}
          </p>
        )}
        {tried && !chosen && !allSoldOut && (
          <p className="field-error" role="alert">
            Choose a size first.
          </p>
        )}
      </fieldset>
      <button type="button" className="btn btn-big add-btn" onClick={add} disabled={allSoldOut || cart.state.busy}>
        {allSoldOut ? "Sold out in this colour" : cart.state.busy ? "Adding…" : "Add to bag"}
      </button>
      {added && (
        <Notice kind="success">
          Added {p.title} ({colour}, {size}) to your bag. <Link to="/cart">View bag</Link>
        </Notice>
      )}
      {cart.state.error && tried && <Notice>{cart.state.error}</Notice>}
    </div>
  );
}

function MoreLikeThis({ p }: { p: Product }) {
  const more = useAsync(
    async (signal) => {
      const r = await call(api.GET("/api/v1/products", { params: { query: { category: p.category.slug, page_size: "9", in_stock: "true" } }, signal }));
      return (r.items ?? []).filter((x) => x.id !== p.id).slice(0, 8);
    },
    [p.id],
  );
  if (more.data && more.data.length === 0) return null;
  return (
    <section className="section" aria-labelledby="more">
      <h2 id="more">More in {p.category.name}</h2>
      {more.data ? <ProductGrid products={more.data} label={`More in ${p.category.name}`} eagerCount={0} /> : more.error ? null : <GridSkeleton count={4} />}
    </section>
  );
}

export default function ProductPage({ params }: { params: Record<string, string> }) {
  const slug = params.slug;
  const res = useAsync((signal) => call(api.GET("/api/v1/products/{id}", { params: { path: { id: slug } }, signal })), [slug]);
  const p = res.data?.slug === slug || res.data?.id === slug ? res.data : undefined;
  useEffect(() => {
    if (!p) return;
    document.title = `${p.title} · ${p.brand} · Bazaar`;
    call(api.POST("/api/v1/me/events", { body: { type: "view", product_id: p.id, category: p.category.slug } })).catch(() => undefined);
  }, [p]);
  const attrs = useMemo(() => Object.entries(p?.attributes ?? {}), [p]);
  if (res.error) return <ErrorState error={res.error} retry={res.retry} title={undefined} />;
  if (!p) return <Spinner />;
  return (
    <div className="product">
      <nav aria-label="Breadcrumb" className="crumbs">
        <ol>
          <li>
            <Link to="/">Home</Link>
          </li>
          {p.category.slug && (
            <li>
              <Link to={`/c/${p.category.slug}`}>{p.category.name}</Link>
            </li>
          )}
          <li aria-current="page">{p.title}</li>
        </ol>
      </nav>
      <div className="product-main">
        <Gallery p={p} />
        <div className="product-info">
          <p className="brand">
            <Link to={`/search?brand=${encodeURIComponent(p.brand.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""))}`}>{p.brand}</Link>
          </p>
          <h1>{p.title}</h1>
          <Buy key={p.id} p={p} />
          <section className="details" aria-labelledby="details">
            <h2 id="details">Product details</h2>
            <p>{p.description}</p>
            {attrs.length > 0 && (
              <dl className="attrs">
                {attrs.map(([k, v]) => (
                  <div key={k}>
                    <dt>{k[0].toUpperCase() + k.slice(1)}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            )}
            <p className="muted small">Prices include GST. Returns and exchanges from your order page within the return window.</p>
          </section>
        </div>
      </div>
      <MoreLikeThis p={p} />
    </div>
  );
}
