import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { invalidateCustomer, invalidateCustomerMerge, invalidateMembers, invalidateTicket } from "./invalidate";
import { activityKeys, customerKeys, memberKeys, slaKeys, ticketKeys } from "./keys";

/** A cache holding one entry under each key, and which of them a change left stale. */
function cacheWith(keys: readonly (readonly unknown[])[]) {
  const queries = new QueryClient();
  for (const key of keys) queries.setQueryData(key, {});
  const staleAfter = (change: (client: QueryClient) => void) => {
    change(queries);
    return keys.filter((key) => queries.getQueryState(key)?.isInvalidated).map((key) => JSON.stringify(key));
  };
  return staleAfter;
}

const inbox = ticketKeys.list({ view: "open", sort: "updated", status: "", priority: "", tag: "", category: "", assignee: "" });
const radar = slaKeys.radar({ within: 240, priority: "", assignee: "" });

describe("invalidation", () => {
  it("a ticket change reaches its detail, every inbox list, the counts, the radar, the log and its customer's page", () => {
    const keys = [ticketKeys.detail("t1"), ticketKeys.detail("t2"), inbox, ticketKeys.counts(), radar, slaKeys.policy(), activityKeys.all, customerKeys.tickets("c1"), customerKeys.timeline("c1"), customerKeys.detail("c2"), customerKeys.list()];
    const stale = cacheWith(keys)((queries) => invalidateTicket(queries, { id: "t1", customerId: "c1" }));
    expect(stale).toEqual([ticketKeys.detail("t1"), inbox, ticketKeys.counts(), radar, activityKeys.all, customerKeys.tickets("c1"), customerKeys.timeline("c1")].map((key) => JSON.stringify(key)));
  });

  it("a customer's profile change reaches their page and every customer list and search, not other customers", () => {
    const keys = [customerKeys.detail("c1"), customerKeys.detail("c2"), customerKeys.list(), customerKeys.search("chr", 10), customerKeys.search("chr", 50)];
    const stale = cacheWith(keys)((queries) => invalidateCustomer(queries, "c1"));
    expect(stale).toEqual([customerKeys.detail("c1"), customerKeys.list(), customerKeys.search("chr", 10), customerKeys.search("chr", 50)].map((key) => JSON.stringify(key)));
  });

  it("a merge reaches every customer and every ticket", () => {
    const keys = [customerKeys.detail("c1"), customerKeys.detail("c2"), ticketKeys.detail("t1"), inbox, radar];
    const stale = cacheWith(keys)((queries) => invalidateCustomerMerge(queries));
    expect(stale).toEqual([customerKeys.detail("c1"), customerKeys.detail("c2"), ticketKeys.detail("t1"), inbox].map((key) => JSON.stringify(key)));
  });

  it("a member change reaches the member list and the signed-in member", () => {
    const stale = cacheWith([memberKeys.list(), memberKeys.me(), ticketKeys.counts()])((queries) => invalidateMembers(queries));
    expect(stale).toEqual([memberKeys.list(), memberKeys.me()].map((key) => JSON.stringify(key)));
  });
});
