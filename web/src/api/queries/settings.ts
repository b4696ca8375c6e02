// Workspace settings: the category taxonomy; the e-mail channel's settings and sending domain.
import { infiniteQueryOptions, queryOptions, useQuery } from "@tanstack/react-query";
import { api, call } from "../client";
import { settingsKeys } from "./keys";

export const categoriesQuery = () =>
  queryOptions({ queryKey: settingsKeys.categories(), queryFn: () => call(api.GET("/api/v1/settings/categories")), staleTime: 60_000 });

export function useCategories() {
  return useQuery(categoriesQuery());
}

export const emailSettingsQuery = () =>
  queryOptions({ queryKey: settingsKeys.email(), queryFn: () => call(api.GET("/api/v1/settings/email")) });

/** SES is asked on each read: kept a minute, asked again on request. */
export const emailDomainQuery = () =>
  queryOptions({ queryKey: settingsKeys.emailDomain(), queryFn: () => call(api.GET("/api/v1/settings/email/domain")), staleTime: 60_000 });

/** The rejected-mail log, newest first, a page at a time. */
export const rejectedEmailQuery = () =>
  infiniteQueryOptions({
    queryKey: settingsKeys.rejectedEmail(),
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/settings/email/rejected", { params: { query: { limit: 20, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
