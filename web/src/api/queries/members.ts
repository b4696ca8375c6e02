// The signed-in member and the workspace's members.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, call } from "../client";
import { memberKeys } from "./keys";
import type { Member, Permission } from "../types";

export const meQuery = () =>
  queryOptions({
    queryKey: memberKeys.me(),
    queryFn: () => call(api.GET("/api/v1/me")),
    staleTime: 60_000,
  });

/** Every member (up to 1000), for names and the assignee picker. */
export const membersQuery = () =>
  queryOptions({
    queryKey: memberKeys.list(),
    staleTime: 60_000,
    queryFn: async () => {
      const all: Member[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(api.GET("/api/v1/users", { params: { query: { limit: 100, cursor } } }));
        all.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && all.length < 1000);
      return all;
    },
  });

export function useMe() {
  return useQuery(meQuery());
}

/** Whether the signed-in member's role holds a permission (undefined while loading). */
export function usePermission(permission: Permission): boolean | undefined {
  const me = useMe();
  return me.data ? me.data.permissions.includes(permission) : undefined;
}

/** Members by id; empty for roles that cannot list members. */
export function useMembers(enabled: boolean) {
  return useQuery({ ...membersQuery(), enabled });
}
