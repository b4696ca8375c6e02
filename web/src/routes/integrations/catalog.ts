// What the integrations API accepts, as the server defines it (shared/src/domain/webhooks.rs
// EVENT_TYPES, shared/src/services/webhooks/payload.rs SLACK_EVENT_TYPES, shared/src/domain/api_keys.rs
// KEY_SCOPES). The API answers 422 for anything else, so the forms offer exactly these.
import type { Permission } from "../../api/types";

export type EventChoice = { type: string; meaning: string };

export const WEBHOOK_EVENTS: EventChoice[] = [
  { type: "ticket.created", meaning: "A ticket was opened" },
  { type: "ticket.updated", meaning: "A ticket's status, priority, subject, category or tags changed" },
  { type: "ticket.assigned", meaning: "A ticket was assigned or reassigned" },
  { type: "message.created", meaning: "A reply, customer message or internal note was added" },
  { type: "customer.created", meaning: "A customer was created" },
  { type: "customer.updated", meaning: "A customer's details changed" },
  { type: "customer.merged", meaning: "A customer was merged into another" },
  { type: "sla.at_risk", meaning: "A ticket's SLA target is close to being missed" },
  { type: "sla.breached", meaning: "A ticket's SLA target was missed" },
  { type: "sla.met", meaning: "A ticket's SLA clock was met" },
  { type: "webhook.endpoint_paused", meaning: "An endpoint failed repeatedly and its deliveries are paused" },
  { type: "webhook.endpoint_resumed", meaning: "A paused endpoint answered again" },
];

export const SLACK_EVENTS: EventChoice[] = [
  { type: "ticket.urgent_created", meaning: "An urgent ticket was opened" },
  { type: "sla.breached", meaning: "A ticket's SLA target was missed" },
  { type: "ticket.assigned", meaning: "A ticket was assigned" },
];

/** Slack incoming webhooks live under this address; the API refuses other URLs for a Slack connection. */
export const SLACK_HOOKS = "https://hooks.slack.com/";

const KEY_SCOPES: Permission[] = [
  "tickets:read",
  "tickets:write",
  "tickets:assign",
  "customers:read",
  "customers:write",
  "reports:read",
  "activity:read",
  "users:read",
  "settings:manage",
  "webhooks:manage",
];

/** The scopes a member may give a key: key scopes their own role holds (a key never does more). */
export function keyScopesFor(permissions: readonly string[]): Permission[] {
  return KEY_SCOPES.filter((scope) => permissions.includes(scope));
}

/** Adds or removes one choice, keeping the list's order stable. */
export function toggle<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? (list.includes(item) ? [...list] : [...list, item]) : list.filter((x) => x !== item);
}
