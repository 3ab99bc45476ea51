import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Link, match, navigate, useLocation } from "./router";

describe("match", () => {
  it("extracts params", () => {
    expect(match("/p/:slug", "/p/red%20kurta")).toEqual({ slug: "red kurta" });
    expect(match("/orders/:id", "/orders/abc/")).toEqual({ id: "abc" });
    expect(match("/", "/")).toEqual({});
  });
  it("refuses other shapes", () => {
    expect(match("/p/:slug", "/p")).toBeNull();
    expect(match("/p/:slug", "/c/kurtas")).toBeNull();
    expect(match("/p/:slug", "/p/%E0%A4")).toBeNull();
  });
});

function Where() {
  const loc = useLocation();
  return <p data-testid="where">{loc.pathname + loc.search}</p>;
}

describe("navigation", () => {
  it("re-renders on navigate, links and the back button", async () => {
    navigate("/", { replace: true });
    render(
      <>
        <Where />
        <Link to="/c/kurtas?color=red">Kurtas</Link>
      </>,
    );
    expect(screen.getByTestId("where").textContent).toBe("/");
    fireEvent.click(screen.getByText("Kurtas"));
    expect(screen.getByTestId("where").textContent).toBe("/c/kurtas?color=red");
    act(() => navigate("/cart"));
    expect(screen.getByTestId("where").textContent).toBe("/cart");
    await act(async () => {
      window.history.back();
      await new Promise((r) => setTimeout(r, 50));
    });
    expect(screen.getByTestId("where").textContent).toBe("/c/kurtas?color=red");
  });
});
