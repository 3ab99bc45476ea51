// Choosing a variant on the product page: colours, the sizes of a colour with
// their stock, and what to say about stock.
import type { Variant } from "../api/types";

export const LOW_STOCK = 5;

export interface SizeOption {
  size: string;
  variant: Variant;
  soldOut: boolean;
  /** "Only 3 left", or "" when there are plenty or none. */
  note: string;
}

const SIZE_ORDER = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "3XL", "4XL", "Free Size", "One Size"];

function sizeRank(s: string): number {
  const i = SIZE_ORDER.indexOf(s);
  if (i >= 0) return i;
  const n = Number.parseFloat(s.replace(/[^0-9.]/g, ""));
  return Number.isFinite(n) ? 100 + n : 1000;
}

export function colours(variants: Variant[]): string[] {
  return [...new Set(variants.filter((v) => !v.archived).map((v) => v.color))];
}

export function stockNote(v: Variant): string {
  if (!v.in_stock || (v.available ?? 1) <= 0) return "Sold out";
  if (v.available !== undefined && v.available <= LOW_STOCK) return `Only ${v.available} left`;
  return "";
}

export function sizesFor(variants: Variant[], colour: string): SizeOption[] {
  return variants
    .filter((v) => !v.archived && v.color === colour)
    .sort((a, b) => sizeRank(a.size) - sizeRank(b.size))
    .map((v) => {
      const soldOut = !v.in_stock || (v.available ?? 1) <= 0;
      return { size: v.size, variant: v, soldOut, note: soldOut ? "" : stockNote(v) };
    });
}

/** The first colour with something in stock, else the first colour. */
export function defaultColour(variants: Variant[]): string {
  const live = variants.filter((v) => !v.archived);
  return (live.find((v) => v.in_stock) ?? live[0])?.color ?? "";
}
