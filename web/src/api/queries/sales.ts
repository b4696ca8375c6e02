// Sales leads: the filtered list, counts, statuses, one lead with its notes and timeline,
// and what a lead change makes stale. Keys live here, under `leads`, so every lead query can be
// refreshed at once (lead screens refetch: the live connection does not send lead changes yet).
import { infiniteQueryOptions, queryOptions, type QueryClient } from "@tanstack/react-query";
import { api, call } from "../client";
import type { LeadQuery } from "../../lib/leadFilters";
import { customerKeys } from "./keys";
import type { Schemas } from "../types";

export type Lead = Schemas["LeadView"];
export type LeadStatus = Schemas["LeadStatusView"];
export type Note = Schemas["NoteView"];

export const leadKeys = {
  all: ["leads"] as const,
  lists: () => [...leadKeys.all, "list"] as const,
  list: (query: LeadQuery) => [...leadKeys.lists(), query] as const,
  counts: () => [...leadKeys.all, "counts"] as const,
  statuses: () => [...leadKeys.all, "statuses"] as const,
  /** One lead; its notes and timeline sit under it (its activities: queries/activities.ts). */
  detail: (id: string) => [...leadKeys.all, "detail", id] as const,
  notes: (id: string) => [...leadKeys.detail(id), "notes"] as const,
  timeline: (id: string) => [...leadKeys.detail(id), "timeline"] as const,
};

export const leadsQuery = (query: LeadQuery) =>
  infiniteQueryOptions({
    queryKey: leadKeys.list(query),
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/leads", { params: { query: { ...query, limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const leadCountsQuery = () => queryOptions({ queryKey: leadKeys.counts(), queryFn: () => call(api.GET("/api/v1/leads/counts")) });

export const leadStatusesQuery = () =>
  queryOptions({ queryKey: leadKeys.statuses(), staleTime: 5 * 60_000, queryFn: () => call(api.GET("/api/v1/leads/statuses")) });

export const leadQuery = (id: string) =>
  queryOptions({ queryKey: leadKeys.detail(id), queryFn: () => call(api.GET("/api/v1/leads/{id}", { params: { path: { id } } })) });

export const leadNotesQuery = (id: string) =>
  queryOptions({ queryKey: leadKeys.notes(id), queryFn: () => call(api.GET("/api/v1/leads/{id}/notes", { params: { path: { id } } })) });

export const leadTimelineQuery = (id: string) =>
  queryOptions({ queryKey: leadKeys.timeline(id), queryFn: () => call(api.GET("/api/v1/leads/{id}/timeline", { params: { path: { id } } })) });

/** Leads changed (created, edited, bulk-changed): every list and the counts, and these leads' pages. */
export function invalidateLeads(queries: Pick<QueryClient, "invalidateQueries">, ids: readonly string[] = []) {
  void queries.invalidateQueries({ queryKey: leadKeys.lists() });
  void queries.invalidateQueries({ queryKey: leadKeys.counts() });
  for (const id of ids) void queries.invalidateQueries({ queryKey: leadKeys.detail(id) });
}

/** A lead became a customer: the lead, the lists and counts, and the customer's page and lists. */
export function invalidateConversion(queries: Pick<QueryClient, "invalidateQueries">, leadId: string, customerId: string) {
  invalidateLeads(queries, [leadId]);
  void queries.invalidateQueries({ queryKey: customerKeys.detail(customerId) });
  void queries.invalidateQueries({ queryKey: customerKeys.list() });
}
