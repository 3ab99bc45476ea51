import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ProductSummary } from "../api/types";
import { ApiError, NetworkError } from "../api/client";
import { ErrorState } from "./ErrorState";
import { Price } from "./Price";
import { ProductCard } from "./ProductCard";
import { SearchBox } from "./SearchBox";

const inr = (amount: number) => ({ amount, currency: "INR" });

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

describe("Price", () => {
  it("shows the price, the compare-at price struck through and the saving", () => {
    render(<Price price={inr(129900)} compareAt={inr(259900)} />);
    expect(screen.getByText("₹1,299.00")).toBeTruthy();
    expect(screen.getByLabelText("was ₹2,599.00").tagName).toBe("S");
    expect(screen.getByText("(50% off)")).toBeTruthy();
  });
  it("shows no saving without a markdown", () => {
    const { container } = render(<Price price={inr(129900)} />);
    expect(container.textContent).toBe("₹1,299.00");
  });
});

describe("ProductCard", () => {
  const p: ProductSummary = {
    id: "1", slug: "red-kurta", title: "Red Kurta", brand: "Koel", category: "kurtas", price: inr(99900),
    image: { url: "/media/placeholder/kurta-red-1.svg", alt: "Red Kurta in Red" }, colors: ["Red"], sizes: ["M"], in_stock: false, status: "active",
  };
  it("links to the product, sizes its lazy picture and says sold out", () => {
    render(<ul><ProductCard p={p} /></ul>);
    const img = screen.getByAltText("Red Kurta in Red") as HTMLImageElement;
    expect(img.getAttribute("loading")).toBe("lazy");
    expect(img.getAttribute("width")).toBe("300");
    expect(img.getAttribute("height")).toBe("400");
    expect(screen.getByRole("link").getAttribute("href")).toBe("/p/red-kurta");
    expect(screen.getByText("Sold out")).toBeTruthy();
  });
});

describe("ErrorState", () => {
  it("says the shop is unreachable and offers a retry", () => {
    const retry = vi.fn();
    render(<ErrorState error={new NetworkError()} retry={retry} />);
    expect(screen.getByRole("heading").textContent).toBe("You seem to be offline");
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retry).toHaveBeenCalled();
  });
  it("turns a problem code into words", () => {
    render(<ErrorState error={new ApiError(409, { code: "out_of_stock", detail: "the item is out of stock" })} />);
    expect(screen.getByRole("alert").textContent).toContain("Sorry, that item is sold out.");
  });
});

describe("SearchBox", () => {
  it("suggests while typing and opens a suggestion with the keyboard", async () => {
    const fetchMock = vi.fn(async (req: Request) => {
      expect(new URL(req.url).searchParams.get("q")).toBe("sare");
      return new Response(JSON.stringify({ items: [{ kind: "category", text: "Sarees", value: "sarees" }, { kind: "product", text: "Silk Saree", value: "silk-saree" }] }), {
        headers: { "Content-Type": "application/json" },
      });
    });
    vi.stubGlobal("fetch", fetchMock);
    window.history.replaceState(null, "", "/");
    render(<SearchBox />);
    const box = screen.getByRole("combobox");
    fireEvent.focus(box);
    fireEvent.change(box, { target: { value: "sare" } });
    await waitFor(() => expect(screen.getAllByRole("option")).toHaveLength(2));
    fireEvent.keyDown(box, { key: "ArrowDown" });
    fireEvent.keyDown(box, { key: "ArrowDown" });
    expect(screen.getAllByRole("option")[1].getAttribute("aria-selected")).toBe("true");
    await act(async () => {
      fireEvent.submit(box.closest("form")!);
    });
    expect(window.location.pathname).toBe("/p/silk-saree");
  });
  it("searches for the text when no suggestion is chosen", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ items: [] }), { headers: { "Content-Type": "application/json" } })));
    window.history.replaceState(null, "", "/");
    render(<SearchBox />);
    const box = screen.getByRole("combobox");
    fireEvent.change(box, { target: { value: "kurtaa" } });
    fireEvent.submit(box.closest("form")!);
    expect(window.location.pathname + window.location.search).toBe("/search?q=kurtaa");
  });
});
