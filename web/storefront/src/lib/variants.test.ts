import { describe, expect, it } from "vitest";
import type { Variant } from "../api/types";
import { colours, defaultColour, sizesFor, stockNote } from "./variants";

const inr = (amount: number) => ({ amount, currency: "INR" });
function v(size: string, color: string, available: number, archived = false): Variant {
  return { id: size + color, sku: `SKU-${color}-${size}`, size, color, price: inr(1000), weight_grams: 300, archived, in_stock: available > 0, available };
}

describe("variant choice", () => {
  const vs = [v("XL", "Red", 10), v("S", "Red", 0), v("M", "Red", 3), v("M", "Blue", 20), v("L", "Green", 5, true)];
  it("lists live colours", () => expect(colours(vs)).toEqual(["Red", "Blue"]));
  it("orders sizes and marks stock", () => {
    expect(sizesFor(vs, "Red").map((s) => [s.size, s.soldOut, s.note])).toEqual([
      ["S", true, ""],
      ["M", false, "Only 3 left"],
      ["XL", false, ""],
    ]);
  });
  it("starts on a colour in stock", () => {
    expect(defaultColour([v("S", "Red", 0), v("S", "Blue", 2)])).toBe("Blue");
  });
  it("says sold out and low stock", () => {
    expect(stockNote(v("S", "Red", 0))).toBe("Sold out");
    expect(stockNote(v("S", "Red", 1))).toBe("Only 1 left");
    expect(stockNote(v("S", "Red", 6))).toBe("");
  });
});
