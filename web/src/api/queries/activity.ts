// The workspace's activity log, newest first.
import { infiniteQueryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { activityKeys } from "./keys";

export const activityQuery = () =>
  infiniteQueryOptions({
    queryKey: activityKeys.all,
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/activity", { params: { query: { limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
