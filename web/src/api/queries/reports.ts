// Reports over a range of days (both ends included, ISO dates): tickets per day, SLA compliance.
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { reportKeys } from "./keys";

export const dailyReportQuery = (from: string, to: string) =>
  queryOptions({ queryKey: reportKeys.daily(from, to), queryFn: () => call(api.GET("/api/v1/reports/tickets/daily", { params: { query: { from, to } } })) });

export const slaReportQuery = (from: string, to: string) =>
  queryOptions({ queryKey: reportKeys.sla(from, to), queryFn: () => call(api.GET("/api/v1/reports/sla", { params: { query: { from, to } } })) });
