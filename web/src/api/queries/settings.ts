// Workspace settings: the category taxonomy.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, call } from "../client";
import { settingsKeys } from "./keys";

export const categoriesQuery = () =>
  queryOptions({ queryKey: settingsKeys.categories(), queryFn: () => call(api.GET("/api/v1/settings/categories")), staleTime: 60_000 });

export function useCategories() {
  return useQuery(categoriesQuery());
}
