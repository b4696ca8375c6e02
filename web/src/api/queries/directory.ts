// The workspace's member directory: every member's name, initials and role, readable by every role and
// cached for the whole app (one query, refreshed when members change), so a person is named the same
// everywhere: message authors, presence, typing, claims, handoffs, assignees, chat and the timelines.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, call } from "../client";
import { memberKeys } from "./keys";
import { useMe } from "./members";
import { Directory, type DirectoryMember } from "../../lib/directory";

export { Directory, type DirectoryMember };

export const directoryQuery = () =>
  queryOptions({
    queryKey: memberKeys.directory(),
    staleTime: 5 * 60_000,
    queryFn: async () => (await call(api.GET("/api/v1/directory"))).members,
  });

/** The directory, shared by every screen through the query cache. */
export function useDirectory(): Directory {
  const me = useMe();
  const directory = useQuery(directoryQuery());
  const myId = me.data?.user.id;
  return useMemo(() => new Directory(directory.data ?? [], myId), [directory.data, myId]);
}
