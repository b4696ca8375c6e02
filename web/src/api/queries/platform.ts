// The platform console (staff session): every workspace, one workspace's page, system health, the plan
// catalog, the audit log, and the staff member's second factor.
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { call, platformApi } from "../client";
import type { Schemas } from "../types";
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

/** Workspaces whose id is `q`, or whose name or owner's e-mail starts with it (at most 50). */
export const workspaceSearchQuery = (q: string) =>
  queryOptions({
    queryKey: platformKeys.search(q),
    queryFn: () => call(platformApi.GET("/api/v1/platform/workspaces", { params: { query: { q, limit: 50 } } })),
  });

export const workspaceQuery = (id: string, from: string, to: string) =>
  queryOptions({
    queryKey: platformKeys.workspace(id, from, to),
    queryFn: () => call(platformApi.GET("/api/v1/platform/workspaces/{id}", { params: { path: { id }, query: { from, to } } })),
  });

export const healthQuery = (minutes: number) =>
  queryOptions({
    queryKey: platformKeys.health(minutes),
    queryFn: () => call(platformApi.GET("/api/v1/platform/health", { params: { query: { minutes } } })),
    refetchInterval: 60_000,
  });

export function setLimitExtras(workspaceId: string, extras: Schemas["LimitExtrasRequest"]) {
  return call(platformApi.PUT("/api/v1/platform/workspaces/{id}/limit-extras", { params: { path: { id: workspaceId } }, body: extras }));
}

export function beginTotpEnrolment() {
  return call(platformApi.POST("/api/v1/platform/auth/totp"));
}

export function confirmTotp(code: string) {
  return call(platformApi.POST("/api/v1/platform/auth/totp/confirm", { body: { code } }));
}
