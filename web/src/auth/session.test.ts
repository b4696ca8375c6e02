import { describe, expect, it, vi } from "vitest";
import { REFRESH_MARGIN_MS, SessionManager, type KeyValueStore, type SessionResponse } from "./session";

function memoryStorage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
    get length() {
      return data.size;
    },
    key: (index) => [...data.keys()][index] ?? null,
  };
}

const user = { id: "u1", email: "ada@example.com", name: "Ada", role: "owner", status: "active", created_at: "", updated_at: "" } as const;
const workspace = { id: "w1", name: "Acme", plan: "free" } as never;
// Browsers get no refresh token in the body: it is an HttpOnly cookie.
const session = (n: number): SessionResponse => ({
  access_token: `access-${n}`,
  refresh_token: null,
  token_type: "Bearer",
  expires_in: 900,
  user,
  workspace,
});
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" } });

function setup(fetchImpl: (url: string) => Response | Promise<Response>) {
  let now = 1_000_000;
  const storage = memoryStorage();
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchMock = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    return fetchImpl(String(url));
  });
  const manager = new SessionManager({ storage, fetch: fetchMock as unknown as typeof fetch, now: () => now, apiUrl: () => "" });
  return { manager, storage, calls, advance: (ms: number) => (now += ms) };
}

describe("SessionManager", () => {
  it("uses the access token while it is fresh, refreshes it near expiry with the cookie alone, and never stores a refresh token", async () => {
    const { manager, storage, calls, advance } = setup(() => json(200, session(2)));
    manager.start(session(1));
    expect(await manager.accessToken()).toBe("access-1");
    expect(calls).toEqual([]);
    advance(900_000 - REFRESH_MARGIN_MS + 1);
    expect(await manager.accessToken()).toBe("access-2");
    expect(calls.map((call) => call.url)).toEqual(["/api/v1/auth/refresh"]);
    expect(calls[0].init?.credentials).toBe("same-origin");
    expect(calls[0].init?.body).toBeUndefined();
    const stored = storage.data.get("switchboard.session")!;
    expect(JSON.parse(stored).accessToken).toBe("access-2");
    expect(stored).not.toMatch(/refresh/i);
  });

  it("refreshes once however many requests need a new access token", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { manager, calls, advance } = setup(async () => {
      await gate;
      return json(200, session(2));
    });
    manager.start(session(1));
    advance(899_000);
    const tokens = Promise.all([manager.accessToken(), manager.accessToken(), manager.refresh()]);
    release();
    const [a, b, c] = await tokens;
    expect([a, b, c?.accessToken]).toEqual(["access-2", "access-2", "access-2"]);
    expect(calls).toHaveLength(1);
  });

  it("adopts a session another tab already rotated instead of replaying the spent cookie", async () => {
    const { manager, storage, calls, advance } = setup(() => json(200, session(9)));
    manager.start(session(1));
    advance(899_000);
    // The other tab rotated meanwhile and stored its fresh session.
    const other = { ...JSON.parse(storage.data.get("switchboard.session")!), accessToken: "access-2", expiresAt: 1_000_000 + 899_000 + 900_000 };
    storage.data.set("switchboard.session", JSON.stringify(other));
    expect(await manager.accessToken()).toBe("access-2");
    expect(calls).toEqual([]);
  });

  it("ends the session when the refresh token was reused, and says why", async () => {
    const { manager, storage } = setup(() =>
      json(401, { type: "/problems/refresh-token-reused", title: "Refresh token reused", status: 401, detail: "", request_id: "r" }),
    );
    manager.start(session(1));
    const seen = vi.fn();
    manager.subscribe(seen);
    expect(await manager.refresh()).toBeNull();
    expect(manager.current()).toBeNull();
    expect(manager.endReason).toBe("revoked");
    expect(storage.data.has("switchboard.session")).toBe(false);
    expect(seen).toHaveBeenCalled();
  });

  it("keeps the session when the server fails, so the user can retry", async () => {
    const { manager } = setup(() => json(500, { type: "/problems/internal", title: "Internal", status: 500, detail: "", request_id: "r" }));
    manager.start(session(1));
    await expect(manager.refresh()).rejects.toThrow(/on our side/);
    expect(manager.current()?.accessToken).toBe("access-1");
  });

  it("expires an unknown session with a plain reason", async () => {
    const { manager } = setup(() => json(401, { type: "/problems/unauthenticated", title: "x", status: 401, detail: "", request_id: "r" }));
    manager.start(session(1));
    expect(await manager.refresh()).toBeNull();
    expect(manager.endReason).toBe("expired");
  });

  it("logs out through the cookie and forgets unsent drafts; an expired session keeps them", async () => {
    const { manager, storage, calls } = setup(() => new Response(null, { status: 204 }));
    manager.start(session(1));
    storage.setItem("switchboard.draft.t1.reply", "half a sentence");
    manager.end("expired");
    expect(storage.data.has("switchboard.draft.t1.reply")).toBe(true);
    manager.start(session(2));
    await manager.logout();
    expect(calls.map((call) => call.url)).toEqual(["/api/v1/auth/logout"]);
    expect(calls[0].init?.credentials).toBe("same-origin");
    expect(storage.data.has("switchboard.draft.t1.reply")).toBe(false);
    expect(storage.data.has("switchboard.session")).toBe(false);
  });

  it("drops a session stored by an earlier version that kept the refresh token in reach of script", () => {
    const storage = memoryStorage();
    storage.setItem("switchboard.session", JSON.stringify({ accessToken: "a", refreshToken: "r", expiresAt: 0, user, workspace }));
    const manager = new SessionManager({ storage, fetch: vi.fn() as unknown as typeof fetch, now: () => 0, apiUrl: () => "" });
    expect(manager.current()).toBeNull();
    expect(storage.data.has("switchboard.session")).toBe(false);
  });
});
