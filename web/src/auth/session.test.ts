import { describe, expect, it, vi } from "vitest";
import { REFRESH_MARGIN_MS, SessionManager, type KeyValueStore, type SessionResponse } from "./session";

function memoryStorage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const user = { id: "u1", email: "ada@example.com", name: "Ada", role: "owner", status: "active", created_at: "", updated_at: "" } as const;
const workspace = { id: "w1", name: "Acme", plan: "free" } as never;
const session = (n: number): SessionResponse => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: "Bearer",
  expires_in: 900,
  user,
  workspace,
});
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" } });

function setup(fetchImpl: (body: { refresh_token: string }) => Response | Promise<Response>) {
  let now = 1_000_000;
  const storage = memoryStorage();
  const calls: string[] = [];
  const fetchMock = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    calls.push(body.refresh_token);
    return fetchImpl(body);
  });
  const manager = new SessionManager({ storage, fetch: fetchMock as unknown as typeof fetch, now: () => now, apiUrl: () => "" });
  return { manager, storage, calls, advance: (ms: number) => (now += ms) };
}

describe("SessionManager", () => {
  it("uses the access token while it is fresh, refreshes it near expiry, and stores the rotated tokens", async () => {
    const { manager, storage, calls, advance } = setup(() => json(200, session(2)));
    manager.start(session(1));
    expect(await manager.accessToken()).toBe("access-1");
    expect(calls).toEqual([]);
    advance(900_000 - REFRESH_MARGIN_MS + 1);
    expect(await manager.accessToken()).toBe("access-2");
    expect(calls).toEqual(["refresh-1"]);
    expect(JSON.parse(storage.data.get("switchboard.session")!).refreshToken).toBe("refresh-2");
  });

  it("spends a refresh token once however many requests need a new access token", async () => {
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
    expect(calls).toEqual(["refresh-1"]);
  });

  it("adopts a session another tab already rotated instead of replaying the spent token", async () => {
    const { manager, storage, calls, advance } = setup(() => json(200, session(9)));
    manager.start(session(1));
    advance(899_000);
    // The other tab rotated meanwhile and stored its fresh session.
    const other = { ...JSON.parse(storage.data.get("switchboard.session")!), refreshToken: "refresh-2", accessToken: "access-2", expiresAt: 1_000_000 + 899_000 + 900_000 };
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
    expect(manager.current()?.refreshToken).toBe("refresh-1");
  });

  it("expires an unknown session with a plain reason", async () => {
    const { manager } = setup(() => json(401, { type: "/problems/unauthenticated", title: "x", status: 401, detail: "", request_id: "r" }));
    manager.start(session(1));
    expect(await manager.refresh()).toBeNull();
    expect(manager.endReason).toBe("expired");
  });
});
