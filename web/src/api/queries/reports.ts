// Reports over a range of days (both ends included, ISO dates): tickets per day, SLA compliance, sales.
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { reportKeys } from "./keys";

export const dailyReportQuery = (from: string, to: string) =>
  queryOptions({ queryKey: reportKeys.daily(from, to), queryFn: () => call(api.GET("/api/v1/reports/tickets/daily", { params: { query: { from, to } } })) });

export const slaReportQuery = (from: string, to: string) =>
  queryOptions({ queryKey: reportKeys.sla(from, to), queryFn: () => call(api.GET("/api/v1/reports/sla", { params: { query: { from, to } } })) });

/** The sales dashboard for one pipeline (empty: the workspace's first). Its daily figures come from counters
 * the outbox keeps a few seconds behind each change, so an open dashboard refreshes now and then. */
export const salesReportQuery = (from: string, to: string, pipelineId: string) =>
  queryOptions({
    queryKey: reportKeys.sales(from, to, pipelineId),
    refetchInterval: 30_000,
    queryFn: () => call(api.GET("/api/v1/reports/sales", { params: { query: { from, to, ...(pipelineId ? { pipeline_id: pipelineId } : {}) } } })),
  });

/** The support report with the period before it for comparison, and optionally a breakdown. */
export const supportReportQuery = (from: string, to: string, breakdown: string) =>
  queryOptions({
    queryKey: reportKeys.support(from, to, breakdown),
    refetchInterval: 30_000,
    queryFn: () =>
      call(api.GET("/api/v1/reports/support", { params: { query: { from, to, compare: "previous", ...(breakdown ? { breakdown } : {}) } } })),
  });

/** Agent performance: everyone's rows for managers, one's own otherwise (the API decides). */
export const agentReportQuery = (from: string, to: string) =>
  queryOptions({
    queryKey: reportKeys.agents(from, to),
    refetchInterval: 30_000,
    queryFn: () => call(api.GET("/api/v1/reports/agents", { params: { query: { from, to } } })),
  });
