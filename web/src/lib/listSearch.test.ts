import { describe, expect, it, vi } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter } from "react-router";
import { LIST_SEARCH_LIMIT, listSearchKey, listSearchParams } from "./listSearch";
import { ListSearch } from "../ui/ListSearch";

// No request leaves while nothing is typed; the client (and its session store) is not loaded here.
const get = vi.hoisted(() => vi.fn());
vi.mock("../api/client", () => ({ api: { GET: get }, call: (request: Promise<unknown>) => request }));

describe("a list's search query", () => {
  it("asks for the list's type only, with the words typed", () => {
    expect(listSearchParams("leads", "  wilhelmna quar ")).toEqual({ q: "wilhelmna quar", types: "leads", limit: LIST_SEARCH_LIMIT });
  });

  it("carries the list's status and owner filters", () => {
    expect(listSearchParams("leads", "ada", { status: "qualified", owner: "me" })).toEqual({ q: "ada", types: "leads", limit: LIST_SEARCH_LIMIT, status: "qualified", owner: "me" });
    // An inbox view stands for several statuses: any of them.
    expect(listSearchParams("tickets", "printer", { status: ["new", "open", "pending"], owner: "none" })).toMatchObject({ status: "new,open,pending", owner: "none" });
  });

  it("leaves out filters that are not set", () => {
    const params = listSearchParams("companies", "acme", { status: "", owner: null });
    expect(params).not.toHaveProperty("status");
    expect(params).not.toHaveProperty("owner");
    expect(listSearchParams("tickets", "x", { status: [] })).not.toHaveProperty("status");
  });

  it("asks nothing while the field is empty or blank", () => {
    expect(listSearchParams("deals", "")).toBeNull();
    expect(listSearchParams("deals", "   ")).toBeNull();
  });
});

describe("keys in a list's search field", () => {
  it("arrows move through the results and wrap", () => {
    expect(listSearchKey("ArrowDown", 0, 3, "a")).toEqual({ kind: "move", index: 1 });
    expect(listSearchKey("ArrowDown", 2, 3, "a")).toEqual({ kind: "move", index: 0 });
    expect(listSearchKey("ArrowUp", 0, 3, "a")).toEqual({ kind: "move", index: 2 });
    expect(listSearchKey("ArrowDown", -1, 0, "a")).toEqual({ kind: "none" });
  });

  it("Enter opens the selected result, and nothing without one", () => {
    expect(listSearchKey("Enter", 1, 3, "a")).toEqual({ kind: "open", index: 1 });
    expect(listSearchKey("Enter", -1, 0, "a")).toEqual({ kind: "none" });
  });

  it("Escape clears the field; on an empty field it does nothing", () => {
    expect(listSearchKey("Escape", 0, 3, "acme")).toEqual({ kind: "clear" });
    expect(listSearchKey("Escape", -1, 0, "")).toEqual({ kind: "none" });
    expect(listSearchKey("a", 0, 3, "acme")).toEqual({ kind: "none" });
  });
});

describe("the list search component", () => {
  it("shows the list itself and a labelled field while nothing is typed", () => {
    const html = renderToStaticMarkup(
      createElement(
        QueryClientProvider,
        { client: new QueryClient() },
        createElement(MemoryRouter, null, createElement(ListSearch, { type: "leads", label: "Search leads", filters: { status: "new" }, children: createElement("ul", { "data-testid": "the-list" }) })),
      ),
    );
    expect(html).toContain('aria-label="Search leads"');
    expect(html).toContain('role="combobox"');
    expect(html).toContain('data-testid="the-list"');
    expect(html).not.toContain("list-search-results");
    expect(get).not.toHaveBeenCalled();
  });
});
