// The member session: the short-lived access token in localStorage (shared by tabs), refreshed before it
// expires. The refresh token never reaches script: the API keeps it in an HttpOnly cookie scoped to
// /api/v1/auth that the browser sends with refresh and logout. Refresh tokens work once, so a refresh is
// single-flight within a tab and serialised across tabs (Web Locks); a tab that finds the session already
// rotated by another tab adopts it instead of replaying the spent cookie (which would revoke the session
// for everyone).
import type { components } from "../api/schema";
import { ApiError, errorFromResponse, networkError } from "../api/problem";

export type SessionResponse = components["schemas"]["SessionResponse"];

export interface Session {
  accessToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  user: SessionResponse["user"];
  workspace: SessionResponse["workspace"];
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  /** For listing keys (localStorage has both). */
  readonly length?: number;
  key?(index: number): string | null;
}

export interface SessionDeps {
  storage: KeyValueStore;
  fetch: typeof fetch;
  now: () => number;
  apiUrl: () => string;
  /** Runs `task` while holding a lock shared by every tab (navigator.locks), or directly. */
  withLock?: <T>(name: string, task: () => Promise<T>) => Promise<T>;
}

const KEY = "switchboard.session";
const DRAFT_PREFIX = "switchboard.draft.";

/** Forgets every unsent reply and note (web/src/lib/drafts.ts keeps them under this prefix). */
function clearDrafts(storage: KeyValueStore) {
  const keys: string[] = [];
  for (let index = 0; index < (storage.length ?? 0); index += 1) {
    const key = storage.key?.(index);
    if (key?.startsWith(DRAFT_PREFIX)) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}
/** Refresh this long before expiry so requests in flight never carry an expired token. */
export const REFRESH_MARGIN_MS = 60_000;

export type EndReason = "logout" | "expired" | "revoked";

export function fromResponse(response: SessionResponse, now: number): Session {
  return {
    accessToken: response.access_token,
    expiresAt: now + response.expires_in * 1000,
    user: response.user,
    workspace: response.workspace,
  };
}

export class SessionManager {
  private session: Session | null;
  private refreshing: Promise<Session | null> | null = null;
  private listeners = new Set<() => void>();
  /** Why the last session ended, for the login screen. */
  endReason: EndReason | null = null;

  constructor(private deps: SessionDeps) {
    this.session = this.read();
  }

  current(): Session | null {
    return this.session;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Another tab changed the stored session. */
  reload() {
    const stored = this.read();
    if (stored?.accessToken !== this.session?.accessToken) {
      this.session = stored;
      this.emit();
    }
  }

  start(response: SessionResponse) {
    this.endReason = null;
    this.set(fromResponse(response, this.deps.now()));
  }

  end(reason: EndReason) {
    this.endReason = reason;
    this.set(null);
  }

  /** An access token valid for at least the margin, refreshing first if needed; null when logged out. */
  async accessToken(): Promise<string | null> {
    const session = this.session;
    if (!session) return null;
    if (session.expiresAt - this.deps.now() > REFRESH_MARGIN_MS) return session.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /** Rotates the refresh token once, however many callers ask at the same time. */
  refresh(): Promise<Session | null> {
    if (!this.refreshing) {
      // The session this refresh replaces, told by its access token (each refresh issues a new one).
      const spent = this.session?.accessToken;
      const run = () => this.rotate(spent);
      this.refreshing = (this.deps.withLock ? this.deps.withLock("switchboard-refresh", run) : run()).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async logout() {
    const had = this.session !== null;
    this.end("logout");
    // What was typed does not outlive a logout on a shared machine (an expired session keeps it).
    clearDrafts(this.deps.storage);
    if (!had) return;
    try {
      // The cookie carries the refresh token; the answer removes it.
      await this.deps.fetch(`${this.deps.apiUrl()}/api/v1/auth/logout`, { method: "POST", credentials: "same-origin" });
    } catch {
      // The session is gone locally; the server side expires on its own.
    }
  }

  private async rotate(spent: string | undefined): Promise<Session | null> {
    // Another tab may have rotated while we waited for the lock: use its session.
    const stored = this.read();
    if (stored && stored.accessToken !== spent && stored.expiresAt - this.deps.now() > REFRESH_MARGIN_MS) {
      this.session = stored;
      this.emit();
      return stored;
    }
    if (!spent) return null;
    let response: Response;
    try {
      response = await this.deps.fetch(`${this.deps.apiUrl()}/api/v1/auth/refresh`, { method: "POST", credentials: "same-origin" });
    } catch {
      // Offline: keep the session, the caller sees a network error and can retry.
      throw networkError();
    }
    if (response.ok) {
      const next = fromResponse((await response.json()) as SessionResponse, this.deps.now());
      this.set(next);
      return next;
    }
    const error: ApiError = await errorFromResponse(response);
    if (error.status === 401) {
      this.end(error.slug === "refresh-token-reused" ? "revoked" : "expired");
      return null;
    }
    throw error;
  }

  private set(session: Session | null) {
    this.session = session;
    if (session) this.deps.storage.setItem(KEY, JSON.stringify(session));
    else this.deps.storage.removeItem(KEY);
    this.emit();
  }

  private read(): Session | null {
    try {
      const raw = this.deps.storage.getItem(KEY);
      if (!raw) return null;
      const stored = JSON.parse(raw) as Session & { refreshToken?: string };
      if (stored.refreshToken !== undefined) {
        // Stored by an earlier version, which kept the refresh token in script's reach: drop it and the
        // session (its refresh token has no cookie), so the member logs in once more.
        this.deps.storage.removeItem(KEY);
        return null;
      }
      return stored;
    } catch {
      return null;
    }
  }

  private emit() {
    for (const listener of this.listeners) listener();
  }
}
