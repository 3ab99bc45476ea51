import { describe, expect, it } from "vitest";
import { formatCardNumber, luhn, normalisePhone, parseExpiry, stateName, validPIN } from "./india";

describe("checkout input checks", () => {
  it("PIN codes", () => {
    expect(validPIN("400001")).toBe(true);
    expect(validPIN("012345")).toBe(false);
    expect(validPIN("40001")).toBe(false);
  });
  it("phone numbers", () => {
    expect(normalisePhone("98123 45678")).toBe("+919812345678");
    expect(normalisePhone("+91-98123-45678")).toBe("+919812345678");
    expect(normalisePhone("09812345678")).toBe("+919812345678");
    expect(normalisePhone("12345")).toBeNull();
  });
  it("card numbers", () => {
    expect(luhn("4242 4242 4242 4242")).toBe(true);
    expect(luhn("4000 0000 0000 3220")).toBe(true);
    expect(luhn("4242 4242 4242 4241")).toBe(false);
    expect(formatCardNumber("42424242424242429999")).toBe("4242 4242 4242 4242 999");
  });
  it("expiry dates", () => {
    const now = new Date(2026, 10, 25);
    expect(parseExpiry("12/30", now)).toEqual({ month: 12, year: 2030 });
    expect(parseExpiry("11/26", now)).toEqual({ month: 11, year: 2026 });
    expect(parseExpiry("10/26", now)).toBeNull();
    expect(parseExpiry("13/30", now)).toBeNull();
  });
  it("state names", () => expect(stateName("MH")).toBe("Maharashtra"));
});
