// Saved views (with their live counts) and macros.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, call } from "../client";
import { macroKeys, ticketKeys } from "./keys";

export const savedViewsQuery = () =>
  queryOptions({ queryKey: ticketKeys.views(), queryFn: () => call(api.GET("/api/v1/views")), refetchInterval: 60_000 });

export const macrosQuery = () => queryOptions({ queryKey: macroKeys.list(), queryFn: () => call(api.GET("/api/v1/macros")) });

export const macroPreviewQuery = (ticketId: string, macroId: string) =>
  queryOptions({
    queryKey: macroKeys.preview(ticketId, macroId),
    queryFn: () => call(api.GET("/api/v1/tickets/{id}/macros/{macro_id}", { params: { path: { id: ticketId, macro_id: macroId } } })),
    staleTime: 0,
  });

export function useSavedViews() {
  return useQuery(savedViewsQuery());
}

export function useMacros(enabled: boolean) {
  return useQuery({ ...macrosQuery(), enabled });
}
