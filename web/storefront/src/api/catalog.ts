// Catalogue reads shared by several pages.
import { api, call } from "./client";
import type { CategoryNode, Collection, Product, ProductSummary } from "./types";
import { once } from "../lib/useAsync";

export const categories = once(async () => (await call(api.GET("/api/v1/categories", {}))).items ?? []);
export const collections = once(async () => (await call(api.GET("/api/v1/collections", {}))).items ?? []);

/** Finds a category by slug anywhere in the tree, with its ancestors. */
export function findCategory(tree: CategoryNode[], slug: string, path: CategoryNode[] = []): { node: CategoryNode; path: CategoryNode[] } | null {
  for (const n of tree) {
    if (n.slug === slug) return { node: n, path };
    const found = findCategory(n.children ?? [], slug, [...path, n]);
    if (found) return found;
  }
  return null;
}

/** The categories the header shows: the second level (Ethnic Wear, Western Wear…) under a single root. */
export function navCategories(tree: CategoryNode[]): CategoryNode[] {
  if (tree.length === 1) return tree[0].children ?? [];
  return tree;
}

export function collectionBySlug(all: Collection[], slug: string): Collection | undefined {
  return all.find((c) => c.slug === slug);
}

/** A product's summary as a listing card shows it, from the full product. */
export function toSummary(p: Product): ProductSummary {
  const live = (p.variants ?? []).filter((v) => !v.archived);
  const cheapest = live.reduce<(typeof live)[number] | undefined>((a, v) => (!a || v.price.amount < a.price.amount ? v : a), undefined);
  return {
    id: p.id,
    slug: p.slug,
    title: p.title,
    brand: p.brand,
    category: p.category.slug ?? "",
    price: cheapest?.price ?? p.price_range?.min ?? { amount: 0, currency: "INR" },
    compare_at_price: cheapest?.compare_at_price,
    image: p.images?.[0],
    colors: [...new Set(live.map((v) => v.color))],
    sizes: [...new Set(live.map((v) => v.size))],
    in_stock: live.some((v) => v.in_stock),
    status: p.status ?? "active",
  };
}

/**
 * The products behind recommendation ids. The recommendations API answers
 * with ids only, so each is read on its own (in parallel; cached by the API).
 */
export async function productsByIds(ids: string[], signal?: AbortSignal): Promise<ProductSummary[]> {
  const found = await Promise.all(
    ids.map((id) => call(api.GET("/api/v1/products/{id}", { params: { path: { id } }, signal })).then(toSummary, () => null)),
  );
  return found.filter((p): p is ProductSummary => p !== null && p.status === "active");
}
