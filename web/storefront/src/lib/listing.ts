// The state of a product listing (search text, filters, sort, how many pages
// are shown) lives in the URL's query string, so a listing can be shared and
// the back button returns to it. parseListing and listingSearch are inverses
// on canonical URLs; apiQuery turns the state into GET /api/v1/products
// parameters.

export type Sort = "relevance" | "price_asc" | "price_desc" | "newest";
export const SORTS: { value: Sort; label: string }[] = [
  { value: "relevance", label: "Relevance" },
  { value: "newest", label: "Newest first" },
  { value: "price_asc", label: "Price: low to high" },
  { value: "price_desc", label: "Price: high to low" },
];

export type MultiFacet = "size" | "color" | "brand";
export const MULTI_FACETS: MultiFacet[] = ["size", "color", "brand"];

export interface ListingState {
  q: string;
  size: string[];
  color: string[];
  brand: string[];
  /** A price facet value, "min-max" in minor units ("50000-100000"; "200000-" for no upper bound). */
  price: string;
  inStock: boolean;
  sort: Sort;
  /** Pages of PAGE_SIZE shown so far (load more), at least 1. */
  pages: number;
}

export const PAGE_SIZE = 24;
/** The most products one request may ask for (the API's page_size limit). */
export const MAX_PAGE = 96;

export const emptyListing: ListingState = { q: "", size: [], color: [], brand: [], price: "", inStock: false, sort: "relevance", pages: 1 };

function list(p: URLSearchParams, key: string): string[] {
  const out: string[] = [];
  for (const v of p.getAll(key)) {
    for (const part of v.split(",")) {
      const t = part.trim();
      if (t && !out.includes(t)) out.push(t);
    }
  }
  return out.sort();
}

/** Reads a listing's state from a query string ("?q=kurta&color=red"). */
export function parseListing(search: string | URLSearchParams): ListingState {
  const p = typeof search === "string" ? new URLSearchParams(search) : search;
  const sort = p.get("sort") as Sort | null;
  const pages = Number.parseInt(p.get("page") ?? "1", 10);
  const price = p.get("price") ?? "";
  return {
    q: (p.get("q") ?? "").trim(),
    size: list(p, "size"),
    color: list(p, "color"),
    brand: list(p, "brand"),
    price: /^\d*-\d*$/.test(price) && price !== "-" ? price : "",
    inStock: p.get("in_stock") === "true",
    sort: sort && SORTS.some((s) => s.value === sort) ? sort : "relevance",
    pages: Number.isFinite(pages) && pages > 1 ? Math.min(pages, MAX_PAGE / PAGE_SIZE) : 1,
  };
}

/** The canonical query string of a state, "" or "?…"; defaults are left out. */
export function listingSearch(s: ListingState): string {
  const p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  for (const f of MULTI_FACETS) {
    if (s[f].length) p.set(f, [...s[f]].sort().join(","));
  }
  if (s.price) p.set("price", s.price);
  if (s.inStock) p.set("in_stock", "true");
  if (s.sort !== "relevance") p.set("sort", s.sort);
  if (s.pages > 1) p.set("page", String(s.pages));
  const q = p.toString();
  return q ? "?" + q : "";
}

/** Turns one value of a multi-valued facet on or off; the listing starts again at page 1. */
export function toggleFacet(s: ListingState, facet: MultiFacet, value: string): ListingState {
  const cur = s[facet];
  const next = cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value].sort();
  return { ...s, [facet]: next, pages: 1 };
}

/** Changes any other part of the state; the listing starts again at page 1. */
export function withListing(s: ListingState, change: Partial<Omit<ListingState, "pages">>): ListingState {
  return { ...s, ...change, pages: 1 };
}

/** Removes every filter, keeping the search text and the sort. */
export function clearFilters(s: ListingState): ListingState {
  return { ...emptyListing, q: s.q, sort: s.sort };
}

export function filterCount(s: ListingState): number {
  return s.size.length + s.color.length + s.brand.length + (s.price ? 1 : 0) + (s.inStock ? 1 : 0);
}

/** Where the listing is: a category, a collection or the whole catalogue (search). */
export interface ListingScope {
  category?: string;
  collection?: string;
}

export type ProductQuery = {
  q?: string;
  category?: string;
  collection?: string;
  size?: string[];
  color?: string[];
  brand?: string[];
  price_min?: string;
  price_max?: string;
  in_stock?: string;
  sort?: string;
  page_size?: string;
  page_token?: string;
};

/**
 * The GET /api/v1/products query of a state: the first request asks for every
 * page shown so far at once (so a reload or a back navigation after "load more"
 * shows the same products), the next ones one page after a token.
 */
export function apiQuery(s: ListingState, scope: ListingScope, pageToken?: string): ProductQuery {
  const q: ProductQuery = {};
  if (s.q) q.q = s.q;
  if (scope.category) q.category = scope.category;
  if (scope.collection) q.collection = scope.collection;
  for (const f of MULTI_FACETS) {
    if (s[f].length) q[f] = s[f];
  }
  if (s.price) {
    const [min, max] = s.price.split("-");
    if (min) q.price_min = min;
    if (max) q.price_max = max;
  }
  if (s.inStock) q.in_stock = "true";
  if (s.sort !== "relevance") q.sort = s.sort;
  q.page_size = String(pageToken ? PAGE_SIZE : Math.min(PAGE_SIZE * s.pages, MAX_PAGE));
  if (pageToken) q.page_token = pageToken;
  return q;
}
