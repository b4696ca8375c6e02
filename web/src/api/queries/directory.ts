// The workspace's member directory: every member's name, initials and role, readable by every role and
// cached for the whole app (one query, refreshed when members change), so a person is named the same
// everywhere: message authors, presence, typing, claims, handoffs, assignees, chat and the timelines.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, call } from "../client";
import { memberKeys } from "./keys";
import { useMe } from "./members";
import { initials as initialsOf } from "../../lib/format";
import { Directory, type DirectoryMember } from "../../lib/directory";

export { Directory, type DirectoryMember };

export const directoryQuery = (canListUsers: boolean) =>
  queryOptions({
    // Until the workspace serves its directory, members who may list users read names from that list.
    queryKey: [...memberKeys.directory(), { canListUsers }],
    staleTime: 5 * 60_000,
    queryFn: async (): Promise<DirectoryMember[]> => {
      if (!canListUsers) return [];
      const all: DirectoryMember[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(api.GET("/api/v1/users", { params: { query: { limit: 100, cursor } } }));
        all.push(...page.items.map((user) => ({ id: user.id, name: user.name, initials: initialsOf(user.name), role: user.role, active: user.status === "active" })));
        cursor = page.next_cursor ?? undefined;
      } while (cursor && all.length < 1000);
      return all.sort((a, b) => a.name.localeCompare(b.name));
    },
  });

/** The directory, shared by every screen through the query cache. */
export function useDirectory(): Directory {
  const me = useMe();
  const canList = me.data?.permissions.includes("users:read") ?? false;
  const directory = useQuery({ ...directoryQuery(canList), enabled: me.isSuccess });
  const myId = me.data?.user.id;
  return useMemo(() => new Directory(directory.data ?? [], myId), [directory.data, myId]);
}
