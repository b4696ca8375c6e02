// Search across tickets, customers, companies, leads and deals (docs/api.md#search): one query per
// text typed, kept briefly so typing back and forth does not ask again.
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { searchKeys } from "./keys";
import type { listSearchParams } from "../../lib/listSearch";

export const searchQuery = (q: string) =>
  queryOptions({
    queryKey: searchKeys.results(q),
    queryFn: ({ signal }) => call(api.GET("/api/v1/search", { params: { query: { q, limit: 10 } }, signal })),
    staleTime: 5_000,
  });

/** A list's search (one type, the list's filters): see lib/listSearch.ts. */
export const listSearchQuery = (query: NonNullable<ReturnType<typeof listSearchParams>>) =>
  queryOptions({
    queryKey: searchKeys.list(query),
    queryFn: ({ signal }) => call(api.GET("/api/v1/search", { params: { query }, signal })),
    staleTime: 5_000,
  });
