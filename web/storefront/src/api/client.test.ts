import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, NetworkError, api, call, describeError, fieldError, onUnauthenticated } from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = "csrf_token=; max-age=0; path=/";
});

function json(status: number, body: unknown, type = "application/json") {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

describe("the API client", () => {
  it("sends the CSRF token on writes only", async () => {
    document.cookie = "csrf_token=abc123; path=/";
    const seen: Request[] = [];
    vi.stubGlobal("fetch", vi.fn(async (r: Request) => (seen.push(r), json(200, { items: [] }))));
    await call(api.GET("/api/v1/collections", {}));
    await call(api.POST("/api/v1/auth/signout"));
    expect(seen[0].headers.get("X-CSRF-Token")).toBeNull();
    expect(seen[1].headers.get("X-CSRF-Token")).toBe("abc123");
  });
  it("turns a problem document into an ApiError with its code and fields", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(400, { status: 400, code: "validation_failed", title: "Bad Request", detail: "invalid", errors: [{ field: "body.email", message: "not an email" }] }, "application/problem+json")));
    const err = await call(api.POST("/api/v1/auth/signup", { body: { email: "x", password: "y", name: "z" } })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("validation_failed");
    expect(fieldError(err, "email")).toBe("not an email");
  });
  it("turns a failed fetch into a NetworkError", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const err = await call(api.GET("/api/v1/collections", {})).catch((e) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(describeError(err)).toMatch(/couldn't reach the shop/);
  });
  it("tells listeners about a 401", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(401, { status: 401, code: "invalid_session", title: "Unauthorized" })));
    const seen = vi.fn();
    const off = onUnauthenticated(seen);
    await call(api.GET("/api/v1/me")).catch(() => undefined);
    off();
    expect(seen).toHaveBeenCalledTimes(1);
    expect(describeError(seen.mock.calls[0][0])).toBe("Your session has expired. Please sign in again.");
  });
  it("hides internal errors behind a reference", () => {
    expect(describeError(new ApiError(500, { code: "internal", detail: "boom", request_id: "r1" }))).toBe("Something went wrong on our side. Please try again. (Reference: r1)");
  });
});
