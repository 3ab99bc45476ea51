import { useEffect, useMemo, useState } from "react";
import { categories, collections, findCategory } from "../api/catalog";
import { api, call } from "../api/client";
import type { FacetValue, Facets, ProductSummary } from "../api/types";
import { Dialog } from "../components/Dialog";
import { ErrorState, Notice } from "../components/ErrorState";
import { GridSkeleton, ProductGrid } from "../components/ProductCard";
import { suggestionHref } from "../components/SearchBox";
import {
  apiQuery,
  clearFilters,
  filterCount,
  listingSearch,
  parseListing,
  PAGE_SIZE,
  SORTS,
  toggleFacet,
  withListing,
  type ListingScope,
  type ListingState,
  type MultiFacet,
  type Sort,
} from "../lib/listing";
import { useAsync } from "../lib/useAsync";
import { Link, navigate, useLocation } from "../router";

const SWATCH: Record<string, string> = {
  black: "#1a1a1a", white: "#ffffff", "off-white": "#f5f0e6", red: "#c0392b", maroon: "#7b1e2e", pink: "#e88aa8", orange: "#e67e22",
  yellow: "#f1c40f", mustard: "#d4a017", green: "#27ae60", olive: "#708238", mint: "#98d8b8", teal: "#16a085", blue: "#2e6fd1",
  navy: "#1f2f5c", purple: "#8e44ad", lavender: "#b9a4d8", brown: "#7b4a2d", beige: "#d9c4a0", grey: "#8c8c8c", gold: "#c9a227",
  silver: "#c0c0c0", peach: "#f6b895", cream: "#f3e9d2", rust: "#a8431e", wine: "#5e1224",
};

function swatchStyle(value: string) {
  if (value === "multicolour") return { background: "conic-gradient(#c0392b, #f1c40f, #27ae60, #2e6fd1, #8e44ad, #c0392b)" };
  return { background: SWATCH[value] ?? "#ccc" };
}

function CheckFacet({ title, facet, values, state, set, limit = 8 }: { title: string; facet: MultiFacet; values: FacetValue[]; state: ListingState; set: (s: ListingState) => void; limit?: number }) {
  const [all, setAll] = useState(false);
  if (!values.length) return null;
  const chosen = state[facet];
  // Chosen values stay visible even when the list is cut short.
  const shown = all ? values : values.filter((v, i) => i < limit || chosen.includes(v.value));
  return (
    <fieldset className={"facet facet-" + facet}>
      <legend>{title}</legend>
      <ul>
        {shown.map((v) => {
          const on = chosen.includes(v.value);
          return (
            <li key={v.value}>
              <label className={"check" + (v.count === 0 && !on ? " empty" : "")}>
                <input type="checkbox" checked={on} onChange={() => set(toggleFacet(state, facet, v.value))} disabled={v.count === 0 && !on} />
                {facet === "color" && <span className="swatch" style={swatchStyle(v.value)} aria-hidden="true" />}
                <span className="check-label">{v.label}</span>
                <span className="count-muted">({v.count})</span>
              </label>
            </li>
          );
        })}
      </ul>
      {values.length > limit && (
        <button type="button" className="link-btn" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? "Show fewer" : `Show all ${values.length}`}
        </button>
      )}
    </fieldset>
  );
}

function FacetPanel({ facets, state, set }: { facets?: Facets; state: ListingState; set: (s: ListingState) => void }) {
  if (!facets) return null;
  return (
    <div className="facets">
      <CheckFacet title="Size" facet="size" values={facets.size ?? []} state={state} set={set} limit={12} />
      <CheckFacet title="Colour" facet="color" values={facets.color ?? []} state={state} set={set} />
      <CheckFacet title="Brand" facet="brand" values={facets.brand ?? []} state={state} set={set} />
      {(facets.price ?? []).length > 0 && (
        <fieldset className="facet">
          <legend>Price</legend>
          <ul>
            {(facets.price ?? []).map((v) => (
              <li key={v.value}>
                <label className={"check" + (v.count === 0 && state.price !== v.value ? " empty" : "")}>
                  <input type="radio" name="price" checked={state.price === v.value} onChange={() => set(withListing(state, { price: v.value }))} disabled={v.count === 0 && state.price !== v.value} />
                  <span className="check-label">{v.label}</span>
                  <span className="count-muted">({v.count})</span>
                </label>
              </li>
            ))}
            {state.price && (
              <li>
                <button type="button" className="link-btn" onClick={() => set(withListing(state, { price: "" }))}>
                  Any price
                </button>
              </li>
            )}
          </ul>
        </fieldset>
      )}
      <fieldset className="facet">
        <legend>Availability</legend>
        <label className="check">
          <input type="checkbox" checked={state.inStock} onChange={() => set(withListing(state, { inStock: !state.inStock }))} />
          <span className="check-label">In stock only</span>
        </label>
      </fieldset>
    </div>
  );
}

function ActiveFilters({ facets, state, set }: { facets?: Facets; state: ListingState; set: (s: ListingState) => void }) {
  if (!filterCount(state)) return null;
  const label = (f: keyof Facets, v: string) => facets?.[f]?.find((x) => x.value === v)?.label ?? v;
  const chips: { key: string; text: string; next: ListingState }[] = [];
  for (const f of ["size", "color", "brand"] as MultiFacet[]) {
    for (const v of state[f]) chips.push({ key: f + v, text: label(f, v), next: toggleFacet(state, f, v) });
  }
  if (state.price) chips.push({ key: "price", text: label("price", state.price), next: withListing(state, { price: "" }) });
  if (state.inStock) chips.push({ key: "stock", text: "In stock", next: withListing(state, { inStock: false }) });
  return (
    <ul className="active-filters" aria-label="Filters applied">
      {chips.map((c) => (
        <li key={c.key}>
          <button type="button" className="chip chip-on" onClick={() => set(c.next)} aria-label={`Remove filter ${c.text}`}>
            {c.text} <span aria-hidden="true">✕</span>
          </button>
        </li>
      ))}
      <li>
        <button type="button" className="link-btn" onClick={() => set(clearFilters(state))}>
          Clear all
        </button>
      </li>
    </ul>
  );
}

function EmptyResults({ state, set }: { state: ListingState; set: (s: ListingState) => void }) {
  const filtered = filterCount(state) > 0;
  const suggest = useAsync(async (signal) => {
    if (!state.q) return [];
    // The first word often finds something when the whole phrase does not.
    const first = state.q.split(/\s+/)[0];
    const r = await call(api.GET("/api/v1/search/suggest", { params: { query: { q: first, limit: 6 } }, signal }));
    return r.items ?? [];
  }, [state.q]);
  return (
    <div className="state empty">
      <h2>{state.q ? <>No results for “{state.q}”</> : "No products match"}</h2>
      {filtered ? (
        <>
          <p>Nothing matches all the filters you chose.</p>
          <p className="actions">
            <button type="button" className="btn" onClick={() => set(clearFilters(state))}>
              Clear the filters
            </button>
          </p>
        </>
      ) : (
        <p>Check the spelling, try a more general word (“kurta” rather than “kurta set”), or browse a category.</p>
      )}
      {(suggest.data ?? []).length > 0 && (
        <>
          <h3>Did you mean</h3>
          <ul className="chips">
            {suggest.data!.map((s) => (
              <li key={s.kind + s.value}>
                <Link to={suggestionHref(s)} className="chip">
                  {s.text}
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Popular categories</h3>
      <ul className="chips">
        {["kurtas", "sarees", "dresses", "lehengas", "tops"].map((c) => (
          <li key={c}>
            <Link to={`/c/${c}`} className="chip">
              {c[0].toUpperCase() + c.slice(1)}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function Listing({ params }: { params: Record<string, string> }) {
  const loc = useLocation();
  const state = useMemo(() => parseListing(loc.search), [loc.search]);
  const scope: ListingScope = useMemo(() => ({ category: params.category, collection: params.collection }), [params.category, params.collection]);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [more, setMore] = useState<{ items: ProductSummary[]; token?: string; loading: boolean; error?: unknown }>({ items: [], loading: false });

  // The page's products: every page shown so far in one call (see apiQuery).
  const base = { ...state, pages: state.pages };
  const key = loc.pathname + listingSearch({ ...base, pages: 1 });
  const page = useAsync(
    (signal) => call(api.GET("/api/v1/products", { params: { query: apiQuery(state, scope) }, signal })),
    // "load more" changes only the page count, which must not refetch what is shown.
    [key],
  );
  useEffect(() => setMore({ items: [], loading: false }), [key]);

  const title = useAsync(async () => {
    if (scope.category) {
      const found = findCategory(await categories(), scope.category);
      return { name: found?.node.name ?? scope.category, path: found?.path ?? [] };
    }
    if (scope.collection) {
      const c = (await collections()).find((x) => x.slug === scope.collection);
      return { name: c?.name ?? scope.collection, description: c?.description, path: [] };
    }
    return { name: state.q ? `Results for “${state.q}”` : "All products", path: [] };
  }, [scope.category, scope.collection, state.q]);

  useEffect(() => {
    if (title.data) document.title = `${title.data.name.replace(/[“”]/g, "")} · Bazaar`;
  }, [title.data]);

  // Tell the recommender what was searched for (best effort).
  useEffect(() => {
    if (!state.q) return;
    call(api.POST("/api/v1/me/events", { body: { type: "search", query: state.q } })).catch(() => undefined);
  }, [state.q]);

  function set(next: ListingState) {
    navigate(loc.pathname + listingSearch(next), { keepScroll: true });
  }
  function setSort(sort: Sort) {
    set(withListing(state, { sort }));
  }

  const data = page.data;
  const items = [...(data?.items ?? []), ...more.items];
  const nextToken = more.token ?? (more.items.length ? undefined : data?.next_page_token);
  const hasMore = !!(more.items.length ? more.token : data?.next_page_token);

  async function loadMore() {
    if (!nextToken) return;
    setMore((m) => ({ ...m, loading: true, error: undefined }));
    try {
      const r = await call(api.GET("/api/v1/products", { params: { query: apiQuery(state, scope, nextToken) } }));
      setMore((m) => ({ items: [...m.items, ...(r.items ?? [])], token: r.next_page_token ?? "", loading: false }));
      // The URL remembers how many pages are shown, for the back button.
      const pages = Math.ceil((items.length + (r.items?.length ?? 0)) / PAGE_SIZE);
      navigate(loc.pathname + listingSearch({ ...state, pages }), { replace: true, keepScroll: true });
    } catch (e) {
      setMore((m) => ({ ...m, loading: false, error: e }));
    }
  }

  const n = filterCount(state);
  return (
    <div className="listing">
      <nav aria-label="Breadcrumb" className="crumbs">
        <ol>
          <li>
            <Link to="/">Home</Link>
          </li>
          {(title.data?.path ?? []).map((c) => (
            <li key={c.id}>
              <Link to={`/c/${c.slug}`}>{c.name}</Link>
            </li>
          ))}
          <li aria-current="page">{title.data?.name ?? ""}</li>
        </ol>
      </nav>
      <div className="listing-head">
        <h1>{title.data?.name ?? " "}</h1>
        {title.data?.description && <p className="muted">{title.data.description}</p>}
      </div>
      <div className="listing-body">
        <aside className="sidebar" aria-label="Filters">
          <FacetPanel facets={data?.facets} state={state} set={set} />
        </aside>
        <section className="results" aria-labelledby="results-count">
          <div className="toolbar">
            <p id="results-count" className="muted" aria-live="polite">
              {data ? `${data.total.toLocaleString("en-IN")} ${data.total === 1 ? "product" : "products"}` : page.error ? "" : "Loading…"}
            </p>
            <button type="button" className="btn btn-secondary filters-btn" onClick={() => setFiltersOpen(true)}>
              Filters{n ? ` (${n})` : ""}
            </button>
            <label className="sort">
              <span>Sort by</span>
              <select value={state.sort} onChange={(e) => setSort(e.target.value as Sort)}>
                {SORTS.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ActiveFilters facets={data?.facets} state={state} set={set} />
          {page.error && !data ? (
            <ErrorState error={page.error} retry={page.retry} />
          ) : !data ? (
            <GridSkeleton />
          ) : items.length === 0 ? (
            <EmptyResults state={state} set={set} />
          ) : (
            <div className={page.loading ? "stale" : ""} aria-busy={page.loading}>
              {page.error ? <Notice>Couldn't update the results. <button className="link-btn" onClick={page.retry}>Try again</button></Notice> : null}
              <ProductGrid products={items} label="Products" />
              <div className="more">
                <p className="muted">
                  Showing {items.length.toLocaleString("en-IN")} of {data.total.toLocaleString("en-IN")}
                </p>
                {more.error ? <Notice>Couldn't load more products. Check your connection.</Notice> : null}
                {hasMore && (
                  <button type="button" className="btn btn-secondary" onClick={loadMore} disabled={more.loading}>
                    {more.loading ? "Loading…" : more.error ? "Try again" : "Load more"}
                  </button>
                )}
              </div>
            </div>
          )}
        </section>
      </div>
      <Dialog open={filtersOpen} onClose={() => setFiltersOpen(false)} label="Filters" side="left">
        <div className="drawer">
          <header className="drawer-head">
            <h2>Filters</h2>
            <button type="button" className="icon-btn" onClick={() => setFiltersOpen(false)} aria-label="Close filters">
              ✕
            </button>
          </header>
          <div className="drawer-body">
            <FacetPanel facets={data?.facets} state={state} set={set} />
          </div>
          <footer className="drawer-foot">
            <div className="drawer-actions">
              <button type="button" className="btn btn-secondary" onClick={() => set(clearFilters(state))} disabled={!n}>
                Clear all
              </button>
              <button type="button" className="btn" onClick={() => setFiltersOpen(false)}>
                Show {data ? data.total.toLocaleString("en-IN") : ""} results
              </button>
            </div>
          </footer>
        </div>
      </Dialog>
    </div>
  );
}
