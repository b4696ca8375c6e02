// The owner's billing: usage against the plan's limits.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, call } from "../client";
import { billingKeys } from "./keys";

/** Usage moves with every ticket, member and webhook: read afresh each time the page opens. */
export const usageQuery = () =>
  queryOptions({
    queryKey: billingKeys.usage(),
    queryFn: () => call(api.GET("/api/v1/billing/usage")),
    staleTime: 0,
  });

export function useUsage(enabled: boolean) {
  return useQuery({ ...usageQuery(), enabled });
}
