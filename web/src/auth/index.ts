// The app's one session manager, wired to the browser.
import { useSyncExternalStore } from "react";
import { config } from "../config";
import { SessionManager, type Session } from "./session";

const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;

export const sessions = new SessionManager({
  storage: localStorage,
  fetch: (...args) => fetch(...args),
  now: () => Date.now(),
  apiUrl: () => config().apiUrl,
  withLock: locks ? <T,>(name: string, task: () => Promise<T>) => locks.request(name, task) as unknown as Promise<T> : undefined,
});

// Keep tabs in step: a login, logout or refresh in one tab is seen by the others.
window.addEventListener("storage", (event) => {
  if (event.key === "switchboard.session") sessions.reload();
});

export function useSession(): Session | null {
  return useSyncExternalStore(
    (listener) => sessions.subscribe(listener),
    () => sessions.current(),
  );
}

// Platform staff: short sessions (15 minutes) without refresh, kept apart from member sessions.
const STAFF_KEY = "switchboard.staff";
export interface StaffSession {
  accessToken: string;
  expiresAt: number;
  staff: { id: string; email: string; name: string; second_factor?: boolean };
}

export function staffSession(): StaffSession | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(STAFF_KEY) ?? "null") as StaffSession | null;
    return session && session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function setStaffSession(session: StaffSession | null) {
  if (session) sessionStorage.setItem(STAFF_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STAFF_KEY);
}
