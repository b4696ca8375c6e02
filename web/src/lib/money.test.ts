import { describe, expect, it } from "vitest";
import { currencyDigits, money, moneyInput, parseMoney } from "./money";

describe("money", () => {
  it("uses each currency's decimals", () => {
    expect(currencyDigits("EUR")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("KWD")).toBe(3);
  });

  it("reads typed amounts into minor units and refuses what is not an amount", () => {
    expect(parseMoney("1,250.5", "EUR")).toBe(125050);
    expect(parseMoney("1250", "JPY")).toBe(1250);
    expect(parseMoney("12.345", "EUR")).toBeNull();
    expect(parseMoney("-3", "EUR")).toBeNull();
    expect(parseMoney("abc", "EUR")).toBeNull();
  });

  it("shows minor units in major units, and back into the field", () => {
    expect(money(125050, "EUR")).toMatch(/1,250\.50/);
    expect(moneyInput(125050, "EUR")).toBe("1250.50");
    expect(moneyInput(1250, "JPY")).toBe("1250");
  });
});
