// SLA: the workspace's policy and the radar of tickets near or past their targets.
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { slaKeys, type RadarParams } from "./keys";

export const slaPolicyQuery = () => queryOptions({ queryKey: slaKeys.policy(), queryFn: () => call(api.GET("/api/v1/sla/policy")) });

export const radarQuery = (params: RadarParams) =>
  queryOptions({
    queryKey: slaKeys.radar(params),
    refetchInterval: 30_000,
    queryFn: () =>
      call(
        api.GET("/api/v1/sla/radar", {
          params: { query: { within_minutes: params.within, priority: params.priority || undefined, assignee: params.assignee || undefined, limit: 100 } },
        }),
      ),
  });
