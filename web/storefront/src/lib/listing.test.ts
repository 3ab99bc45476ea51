import { describe, expect, it } from "vitest";
import { apiQuery, clearFilters, emptyListing, filterCount, listingSearch, parseListing, toggleFacet, withListing } from "./listing";

describe("listing URL state", () => {
  it("parses filters, sort and pages", () => {
    const s = parseListing("?q=kurta&color=red,blue&size=m&size=l&brand=koel&price=50000-100000&in_stock=true&sort=price_asc&page=3");
    expect(s).toEqual({
      q: "kurta", color: ["blue", "red"], size: ["l", "m"], brand: ["koel"], price: "50000-100000",
      inStock: true, sort: "price_asc", pages: 3,
    });
  });
  it("ignores junk", () => {
    expect(parseListing("?sort=cheapest&page=-2&price=abc&in_stock=yes&color=,,")).toEqual(emptyListing);
    expect(parseListing("?page=999").pages).toBe(4);
  });
  it("round-trips through the canonical query string", () => {
    const url = "?q=saree&size=l%2Cm&color=red&price=200000-&in_stock=true&sort=newest&page=2";
    const s = parseListing(url);
    expect(listingSearch(s)).toBe(url);
    expect(parseListing(listingSearch(s))).toEqual(s);
    expect(listingSearch(emptyListing)).toBe("");
  });
  it("is the same URL whatever order the values were picked in", () => {
    const a = toggleFacet(toggleFacet(emptyListing, "color", "red"), "color", "blue");
    const b = toggleFacet(toggleFacet(emptyListing, "color", "blue"), "color", "red");
    expect(listingSearch(a)).toBe(listingSearch(b));
  });
});

describe("changing the state", () => {
  const paged = { ...emptyListing, pages: 3 };
  it("toggles a facet value on and off, back to page 1", () => {
    const on = toggleFacet(paged, "size", "m");
    expect(on.size).toEqual(["m"]);
    expect(on.pages).toBe(1);
    expect(toggleFacet(on, "size", "m").size).toEqual([]);
  });
  it("resets the page on sort and price changes", () => {
    expect(withListing(paged, { sort: "newest" })).toMatchObject({ sort: "newest", pages: 1 });
  });
  it("clears filters but keeps the search and sort", () => {
    const s = { ...parseListing("?q=kurta&color=red&in_stock=true&sort=newest&page=2") };
    expect(filterCount(s)).toBe(2);
    const c = clearFilters(s);
    expect(c).toEqual({ ...emptyListing, q: "kurta", sort: "newest" });
    expect(filterCount(c)).toBe(0);
  });
});

describe("apiQuery", () => {
  it("asks for every page shown at once, then one page per token", () => {
    const s = parseListing("?color=red&price=50000-100000&in_stock=true&sort=price_desc&page=2");
    expect(apiQuery(s, { category: "kurtas" })).toEqual({
      category: "kurtas", color: ["red"], price_min: "50000", price_max: "100000", in_stock: "true", sort: "price_desc", page_size: "48",
    });
    expect(apiQuery(s, { category: "kurtas" }, "tok")).toMatchObject({ page_size: "24", page_token: "tok" });
  });
  it("leaves out defaults and open price bounds", () => {
    expect(apiQuery(parseListing("?q=silk&price=500000-"), { collection: "sale" })).toEqual({
      q: "silk", collection: "sale", price_min: "500000", page_size: "24",
    });
  });
});
