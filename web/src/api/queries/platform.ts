// The platform console (staff session): every workspace, the plan catalog and the audit log.
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { call, platformApi } from "../client";
import { platformKeys } from "./keys";

export const workspacesQuery = () =>
  infiniteQueryOptions({
    queryKey: platformKeys.workspaces(),
    queryFn: ({ pageParam }) => call(platformApi.GET("/api/v1/platform/workspaces", { params: { query: { limit: 100, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const plansQuery = () =>
  queryOptions({
    queryKey: platformKeys.plans(),
    queryFn: () => call(platformApi.GET("/api/v1/platform/plans")),
  });

/** The newest 50 staff actions. */
export const auditQuery = () =>
  queryOptions({
    queryKey: platformKeys.audit(),
    queryFn: () => call(platformApi.GET("/api/v1/platform/audit", { params: { query: { limit: 50 } } })),
  });

export function changeWorkspacePlan(workspaceId: string, plan: string) {
  return call(platformApi.PUT("/api/v1/platform/workspaces/{id}/plan", { params: { path: { id: workspaceId } }, body: { plan } }));
}
