// Workspace settings: the category taxonomy; the e-mail channel's settings and sending domain.
import { queryOptions, useQuery } from "@tanstack/react-query";
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
