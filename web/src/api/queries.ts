// Query hooks shared by several screens.
import { useQuery } from "@tanstack/react-query";
import { api, call } from "./client";
import type { components } from "./schema";

export type Schemas = components["schemas"];
export type Ticket = Schemas["TicketView"];
export type TicketDetail = Schemas["TicketDetail"];
export type Member = Schemas["UserView"];
export type Customer = Schemas["CustomerView"];
export type EventView = Schemas["EventView"];
export type Me = Schemas["MeResponse"];
export type Permission = Schemas["Permission"];

export function useMe() {
  return useQuery({
    queryKey: ["me"],
    queryFn: () => call(api.GET("/api/v1/me")),
    staleTime: 60_000,
  });
}

/** Whether the signed-in member's role holds a permission (undefined while loading). */
export function usePermission(permission: Permission): boolean | undefined {
  const me = useMe();
  return me.data ? me.data.permissions.includes(permission) : undefined;
}

export function useCounts() {
  return useQuery({ queryKey: ["counts"], queryFn: () => call(api.GET("/api/v1/tickets/counts")), refetchInterval: 60_000 });
}

/** Members by id, for names and the assignee picker; empty for roles that cannot list members. */
export function useMembers(enabled: boolean) {
  return useQuery({
    queryKey: ["members"],
    enabled,
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
}

export function useCategories() {
  return useQuery({ queryKey: ["categories"], queryFn: () => call(api.GET("/api/v1/settings/categories")), staleTime: 60_000 });
}
