// Export jobs: started with the filters on screen, then read every second until the file is ready.
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { exportKeys } from "./keys";
import { isSettled, type ExportFormat, type ExportKind } from "../../lib/exports";

export const startExport = (kind: ExportKind, format: ExportFormat, filters: Record<string, string>) =>
  call(api.POST("/api/v1/exports", { body: { kind, format, filters } }));

export const exportQuery = (id: string) =>
  queryOptions({
    queryKey: exportKeys.detail(id),
    queryFn: () => call(api.GET("/api/v1/exports/{id}", { params: { path: { id } } })),
    refetchInterval: (query) => (isSettled(query.state.data) ? false : 1000),
    // Every read signs a fresh link: never serve an old one from the cache.
    staleTime: 0,
  });
