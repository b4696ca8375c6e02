// The owner's billing on screen (GET /api/v1/billing): the subscription in words, invoice amounts, and
// which plans an upgrade can go to. Plan changes of a standing subscription go through Stripe's Billing
// Portal; only a workspace without one subscribes through Checkout.
import type { Schemas } from "../api/types";
import { money } from "./money";

export type Billing = Schemas["BillingView"];
export type Invoice = Schemas["InvoiceView"];

const STANDING_STATUSES = new Set(["active", "trialing", "past_due", "unpaid", "incomplete"]);

/** Whether a subscription stands (then Checkout is refused and the portal changes the plan). */
export function subscriptionStands(billing: Billing): boolean {
  return billing.subscription != null && STANDING_STATUSES.has(billing.subscription.status);
}

/** "Active, renews 1 Jan 2027", "Past due", "Canceled", "Active, ends 1 Jan 2027", or "No subscription". */
export function subscriptionLine(billing: Billing, formatDate: (iso: string) => string): string {
  const subscription = billing.subscription;
  if (!subscription) return "No subscription";
  const status = subscription.status.replace(/_/g, " ");
  const spoken = status.charAt(0).toUpperCase() + status.slice(1);
  const end = subscription.current_period_end;
  if (end && subscription.cancel_at_period_end) return `${spoken}, ends ${formatDate(end)}`;
  if (billing.next_invoice) return `${spoken}, renews ${formatDate(billing.next_invoice.date)}`;
  return spoken;
}

/** What the invoice asks for, and what was paid of it when that differs. */
export function invoiceAmount(invoice: Invoice): string {
  const currency = invoice.currency.toUpperCase();
  const due = money(invoice.amount_due, currency);
  if (invoice.amount_paid === invoice.amount_due || invoice.amount_paid === 0) return due;
  return `${due} (${money(invoice.amount_paid, currency)} paid)`;
}

/** The plans Checkout can subscribe to, the current one left out. */
export function upgradeChoices(billing: Billing): Schemas["PlanOfferView"][] {
  return billing.plans_for_sale.filter((plan) => plan.id !== billing.plan);
}
