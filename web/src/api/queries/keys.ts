// Query keys, one factory per resource: the shape of the cache. Each key starts with its resource, and
// narrower keys extend wider ones, so invalidating a prefix (see invalidate.ts) reaches everything
// under it. Kept apart from the fetching code so the live path and its tests can use them alone.
import type { Priority, TicketStatus } from "../types";

/** What the inbox asks for: a view, its filters (empty means any) and the sort. */
export interface InboxParams {
  view: "open" | "unassigned" | "mine" | "solved";
  sort: string;
  /** Empty: any status of the view; likewise below. */
  status: TicketStatus | "";
  priority: Priority | "";
  tag: string;
  category: string;
  assignee: string;
}

/** The radar's filters: the horizon in minutes, a priority and an assignee ("me", "none"; empty: any). */
export interface RadarParams {
  within: number;
  priority: Priority | "";
  assignee: string;
}

export const ticketKeys = {
  all: ["tickets"] as const,
  lists: () => [...ticketKeys.all, "list"] as const,
  list: (params: InboxParams) => [...ticketKeys.lists(), params] as const,
  counts: () => [...ticketKeys.all, "counts"] as const,
  detail: (id: string) => [...ticketKeys.all, "detail", id] as const,
  /** Where a ticket's e-mail replies go and the signature they carry: not stale when the ticket changes. */
  replyAddress: (id: string) => [...ticketKeys.all, "reply-address", id] as const,
  /** Saved views carry live counts, so they sit under tickets: a ticket change refreshes them. */
  views: () => [...ticketKeys.all, "views"] as const,
};

export const macroKeys = {
  all: ["macros"] as const,
  list: () => [...macroKeys.all, "list"] as const,
  preview: (ticketId: string, macroId: string) => [...macroKeys.all, "preview", ticketId, macroId] as const,
};

export const customerKeys = {
  all: ["customers"] as const,
  list: () => [...customerKeys.all, "list"] as const,
  searches: () => [...customerKeys.all, "search"] as const,
  search: (emailPrefix: string, limit: number) => [...customerKeys.searches(), { emailPrefix, limit }] as const,
  /** One customer; their tickets and timeline sit under it, so invalidating it refreshes all three. */
  detail: (id: string) => [...customerKeys.all, "detail", id] as const,
  tickets: (id: string) => [...customerKeys.detail(id), "tickets"] as const,
  timeline: (id: string) => [...customerKeys.detail(id), "timeline"] as const,
};

export const slaKeys = {
  all: ["sla"] as const,
  policy: () => [...slaKeys.all, "policy"] as const,
  radars: () => [...slaKeys.all, "radar"] as const,
  radar: (params: RadarParams) => [...slaKeys.radars(), params] as const,
};

export const memberKeys = {
  all: ["members"] as const,
  me: () => [...memberKeys.all, "me"] as const,
  list: () => [...memberKeys.all, "list"] as const,
  /** Every member's name, for everyone: under members, so a member change refreshes it too. */
  directory: () => [...memberKeys.all, "directory"] as const,
};

export const settingsKeys = {
  all: ["settings"] as const,
  categories: () => [...settingsKeys.all, "categories"] as const,
  email: () => [...settingsKeys.all, "email"] as const,
  emailDomain: () => [...settingsKeys.all, "email", "domain"] as const,
  rejectedEmail: () => [...settingsKeys.all, "email", "rejected"] as const,
};

export const chatKeys = {
  all: ["chat"] as const,
  channels: () => [...chatKeys.all, "channels"] as const,
  messages: (channelId: string) => [...chatKeys.all, "messages", channelId] as const,
};

export const integrationKeys = {
  all: ["integrations"] as const,
  apiKeys: () => [...integrationKeys.all, "api-keys"] as const,
  webhooks: () => [...integrationKeys.all, "webhooks"] as const,
  deliveries: (webhookId: string) => [...integrationKeys.all, "deliveries", webhookId] as const,
  captureEndpoints: () => [...integrationKeys.all, "capture-endpoints"] as const,
  captureDeliveries: (endpointId: string) => [...integrationKeys.all, "capture-deliveries", endpointId] as const,
  googleContacts: () => [...integrationKeys.all, "google-contacts"] as const,
};

export const reportKeys = {
  all: ["reports"] as const,
  daily: (from: string, to: string) => [...reportKeys.all, "daily", { from, to }] as const,
  sla: (from: string, to: string) => [...reportKeys.all, "sla", { from, to }] as const,
  sales: (from: string, to: string, pipelineId: string) => [...reportKeys.all, "sales", { from, to, pipelineId }] as const,
  support: (from: string, to: string, breakdown: string) => [...reportKeys.all, "support", { from, to, breakdown }] as const,
  agents: (from: string, to: string) => [...reportKeys.all, "agents", { from, to }] as const,
};

/** Export jobs, one each: a job is read until its file is ready. */
export const exportKeys = {
  all: ["exports"] as const,
  detail: (id: string) => [...exportKeys.all, id] as const,
};

/** Pipelines, their boards and deals: one prefix, so a pipeline change refreshes every board. */
export const salesKeys = {
  all: ["sales"] as const,
  pipelines: () => [...salesKeys.all, "pipelines"] as const,
  boards: () => [...salesKeys.all, "board"] as const,
  board: (pipelineId: string) => [...salesKeys.boards(), pipelineId] as const,
  deals: () => [...salesKeys.all, "deal"] as const,
  deal: (id: string) => [...salesKeys.deals(), id] as const,
};

/** What the companies list asks for: an owner (`me`, `none`; empty: any) and a tag (empty: any). */
export interface CompanyListParams {
  owner: string;
  tag: string;
}

export const companyKeys = {
  all: ["companies"] as const,
  lists: () => [...companyKeys.all, "list"] as const,
  list: (params: CompanyListParams) => [...companyKeys.lists(), params] as const,
  /** One company; its customers, deals, notes and timeline sit under it, so invalidating it refreshes them. */
  detail: (id: string) => [...companyKeys.all, "detail", id] as const,
  customers: (id: string) => [...companyKeys.detail(id), "customers"] as const,
  deals: (id: string) => [...companyKeys.detail(id), "deals"] as const,
  notes: (id: string) => [...companyKeys.detail(id), "notes"] as const,
  timeline: (id: string) => [...companyKeys.detail(id), "timeline"] as const,
};

export const activityKeys = {
  all: ["activity"] as const,
};

export const platformKeys = {
  all: ["platform"] as const,
  workspaces: () => [...platformKeys.all, "workspaces"] as const,
  search: (q: string) => [...platformKeys.workspaces(), "search", q] as const,
  workspace: (id: string, from: string, to: string) => [...platformKeys.workspaces(), id, from, to] as const,
  health: (minutes: number) => [...platformKeys.all, "health", minutes] as const,
  plans: () => [...platformKeys.all, "plans"] as const,
  audit: () => [...platformKeys.all, "audit"] as const,
};

export const billingKeys = {
  all: ["billing"] as const,
  usage: () => [...billingKeys.all, "usage"] as const,
  overview: () => [...billingKeys.all, "overview"] as const,
};

export const notificationKeys = {
  all: ["notifications"] as const,
  list: (unreadOnly: boolean) => [...notificationKeys.all, "list", unreadOnly ? "unread" : "all"] as const,
  preferences: () => [...notificationKeys.all, "preferences"] as const,
};

export const searchKeys = {
  all: ["search"] as const,
  results: (q: string) => [...searchKeys.all, q] as const,
  list: (query: object) => [...searchKeys.all, "list", query] as const,
};
