// What a change makes stale, one helper per resource, used alike by the screens' mutations and by the
// live connection when the server reports a change (src/live/state.ts). Marking a query stale refetches
// it if it is on screen, and on its next use otherwise.
import type { QueryClient } from "@tanstack/react-query";
import { activityKeys, chatKeys, companyKeys, customerKeys, integrationKeys, macroKeys, memberKeys, notificationKeys, salesKeys, settingsKeys, slaKeys, ticketKeys } from "./keys";

/** The part of the query client invalidation needs (the live path is tested against a fake of it). */
export type Invalidates = Pick<QueryClient, "invalidateQueries">;

const stale = (queries: Invalidates, queryKey: readonly unknown[]) => void queries.invalidateQueries({ queryKey });

/**
 * A ticket changed (created, answered, updated, a file attached): its detail, the inbox lists and
 * their counts, the SLA radar, the activity log, and its customer's page (tickets and timeline).
 */
export function invalidateTicket(queries: Invalidates, ticket: { id?: string; customerId?: string }) {
  if (ticket.id) stale(queries, ticketKeys.detail(ticket.id));
  stale(queries, ticketKeys.lists());
  stale(queries, ticketKeys.counts());
  stale(queries, ticketKeys.views());
  stale(queries, slaKeys.radars());
  stale(queries, activityKeys.all);
  if (ticket.customerId) stale(queries, customerKeys.detail(ticket.customerId));
}

/** The member opened a ticket: the inbox rows, whose unread dot is theirs. */
export function invalidateSeen(queries: Invalidates) {
  stale(queries, ticketKeys.lists());
}

/** A customer's profile changed: the customer's page and every customer list and search. */
export function invalidateCustomer(queries: Invalidates, customerId: string) {
  stale(queries, customerKeys.detail(customerId));
  stale(queries, customerKeys.list());
  stale(queries, customerKeys.searches());
}

/** A duplicate was merged into a customer: both customers and every list, and the tickets that moved. */
export function invalidateCustomerMerge(queries: Invalidates) {
  stale(queries, customerKeys.all);
  stale(queries, ticketKeys.all);
}

/** The SLA policy changed: the policy, and every ticket's clocks (details and the radar). */
export function invalidateSlaPolicy(queries: Invalidates) {
  stale(queries, slaKeys.all);
  stale(queries, ticketKeys.all);
}

/** The category taxonomy changed. */
export function invalidateCategories(queries: Invalidates) {
  stale(queries, settingsKeys.categories());
}

/** A member was added or changed: the member list, and the signed-in member (their role may be it). */
export function invalidateMembers(queries: Invalidates) {
  stale(queries, memberKeys.all);
}

/** Chat changed: a channel's history when known, and the channel list with its unread counts. */
export function invalidateChat(queries: Invalidates, channelId?: string) {
  if (channelId) stale(queries, chatKeys.messages(channelId));
  stale(queries, chatKeys.channels());
}

/** An API key was made, rotated or revoked. */
export function invalidateApiKeys(queries: Invalidates) {
  stale(queries, integrationKeys.apiKeys());
}

/** A webhook or Slack endpoint was added, changed or removed. */
export function invalidateWebhooks(queries: Invalidates) {
  stale(queries, integrationKeys.webhooks());
}

/** A lead-capture endpoint was made, changed, rotated or removed. */
export function invalidateCaptureEndpoints(queries: Invalidates) {
  stale(queries, integrationKeys.captureEndpoints());
}

/** An endpoint's deliveries were replayed. */
export function invalidateDeliveries(queries: Invalidates, webhookId: string) {
  stale(queries, integrationKeys.deliveries(webhookId));
}

/** Frames were missed or the connection came back: anything on screen may be out of date. */
export function invalidateEverything(queries: Invalidates) {
  void queries.invalidateQueries();
}

/** Macros were created, changed or deleted. */
export function invalidateMacros(queries: Invalidates) {
  stale(queries, macroKeys.all);
}

/** A deal changed: its page, and every board (the one it left and the one it is on) and the activity log. */
export function invalidateDeal(queries: Invalidates, dealId?: string) {
  if (dealId) stale(queries, salesKeys.deal(dealId));
  stale(queries, salesKeys.boards());
  stale(queries, activityKeys.all);
}

/** A pipeline was created or its stages changed: the pipelines, every board and every deal's page. */
export function invalidatePipelines(queries: Invalidates) {
  stale(queries, salesKeys.all);
  stale(queries, activityKeys.all);
}

/** A company changed: its page and every company list; a rename shows on its customers and deals too. */
export function invalidateCompany(queries: Invalidates, companyId?: string) {
  if (companyId) stale(queries, companyKeys.detail(companyId));
  stale(queries, companyKeys.lists());
  stale(queries, customerKeys.all);
  stale(queries, salesKeys.deals());
  stale(queries, activityKeys.all);
}

/** A customer or deal was linked to a company or unlinked: the companies that gained or lost it. */
export function invalidateCompanyLink(queries: Invalidates, ...companyIds: (string | null | undefined)[]) {
  for (const id of companyIds) if (id) stale(queries, companyKeys.detail(id));
}

/** A notification arrived or was read: the centre and the bell's count. */
export function invalidateNotifications(queries: Invalidates) {
  stale(queries, notificationKeys.all);
}
