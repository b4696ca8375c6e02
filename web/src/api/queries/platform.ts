// The platform console (staff session): every workspace.
import { infiniteQueryOptions } from "@tanstack/react-query";
import { call, platformApi } from "../client";
import { platformKeys } from "./keys";

export const workspacesQuery = () =>
  infiniteQueryOptions({
    queryKey: platformKeys.workspaces(),
    queryFn: ({ pageParam }) => call(platformApi.GET("/api/v1/platform/workspaces", { params: { query: { limit: 100, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
