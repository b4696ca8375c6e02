// Companies (organisation records): the list by name, one company with its customers, deals, notes and
// timeline (docs/api.md#companies).
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { companyKeys, type CompanyListParams } from "./keys";

/** The list's query parameters: empty filters are left out (the API refuses an empty owner). */
export function companyListQuery(params: CompanyListParams, cursor?: string) {
  return {
    limit: 50,
    ...(params.owner ? { owner_id: params.owner } : {}),
    ...(params.tag.trim() ? { tag: params.tag.trim() } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export const companiesQuery = (params: CompanyListParams) =>
  infiniteQueryOptions({
    queryKey: companyKeys.list(params),
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/companies", { params: { query: companyListQuery(params, pageParam) } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const companyQuery = (id: string) =>
  queryOptions({ queryKey: companyKeys.detail(id), queryFn: () => call(api.GET("/api/v1/companies/{id}", { params: { path: { id } } })) });

export const companyCustomersQuery = (id: string) =>
  queryOptions({
    queryKey: companyKeys.customers(id),
    queryFn: () => call(api.GET("/api/v1/companies/{id}/customers", { params: { path: { id }, query: { limit: 100 } } })),
  });

export const companyDealsQuery = (id: string) =>
  queryOptions({
    queryKey: companyKeys.deals(id),
    queryFn: () => call(api.GET("/api/v1/companies/{id}/deals", { params: { path: { id }, query: { limit: 100 } } })),
  });

export const companyNotesQuery = (id: string) =>
  queryOptions({ queryKey: companyKeys.notes(id), queryFn: () => call(api.GET("/api/v1/companies/{id}/notes", { params: { path: { id } } })) });

export const companyTimelineQuery = (id: string) =>
  queryOptions({
    queryKey: companyKeys.timeline(id),
    queryFn: () => call(api.GET("/api/v1/companies/{id}/timeline", { params: { path: { id } } })),
  });

/** The companies a picker offers: the first 100 by name. */
export const companyChoicesQuery = () =>
  queryOptions({
    queryKey: [...companyKeys.lists(), "choices"] as const,
    queryFn: () => call(api.GET("/api/v1/companies", { params: { query: { limit: 100 } } })),
    staleTime: 30_000,
  });
