import { describe, expect, it } from "vitest";
import { invoiceAmount, subscriptionLine, subscriptionStands, upgradeChoices, type Billing, type Invoice } from "./billing";

const base: Billing = {
  plan: "starter",
  plan_name: "Starter",
  standing: { status: "active" },
  subscription: null,
  next_invoice: null,
  invoices: [],
  portal_available: false,
  plans_for_sale: [
    { id: "starter", name: "Starter" },
    { id: "growth", name: "Growth" },
  ],
};
const day = (iso: string) => iso.slice(0, 10);

describe("billing", () => {
  it("says what the subscription does next", () => {
    expect(subscriptionLine(base, day)).toBe("No subscription");
    const renewing: Billing = {
      ...base,
      subscription: { status: "active", cancel_at_period_end: false, current_period_start: "2026-12-01T00:00:00Z", current_period_end: "2027-01-01T00:00:00Z" },
      next_invoice: { date: "2027-01-01T00:00:00Z" },
    };
    expect(subscriptionLine(renewing, day)).toBe("Active, renews 2027-01-01");
    const ending: Billing = { ...renewing, subscription: { ...renewing.subscription!, cancel_at_period_end: true }, next_invoice: null };
    expect(subscriptionLine(ending, day)).toBe("Active, ends 2027-01-01");
    const pastDue: Billing = { ...renewing, subscription: { ...renewing.subscription!, status: "past_due" }, next_invoice: null };
    expect(subscriptionLine(pastDue, day)).toBe("Past due");
  });

  it("sends a standing subscription to the portal and a lapsed one back to Checkout", () => {
    expect(subscriptionStands(base)).toBe(false);
    const sub = { cancel_at_period_end: false, current_period_start: null, current_period_end: null };
    expect(subscriptionStands({ ...base, subscription: { ...sub, status: "past_due" } })).toBe(true);
    expect(subscriptionStands({ ...base, subscription: { ...sub, status: "canceled" } })).toBe(false);
  });

  it("shows invoice amounts in their currency and what was paid of a part payment", () => {
    const invoice: Invoice = {
      id: "in_1", number: "A-1", amount_due: 4900, amount_paid: 4900, currency: "usd", status: "paid",
      hosted_invoice_url: null, invoice_pdf: null, created: "2026-12-01T00:00:00Z",
    };
    expect(invoiceAmount(invoice)).toContain("49.00");
    expect(invoiceAmount({ ...invoice, amount_paid: 1000 })).toMatch(/49\.00.*10\.00 paid/);
    expect(invoiceAmount({ ...invoice, amount_paid: 0, status: "open" })).not.toContain("paid");
  });

  it("offers only other plans for sale", () => {
    expect(upgradeChoices(base).map((plan) => plan.id)).toEqual(["growth"]);
  });
});
