// Unsent replies and notes survive reloads: kept per ticket and kind in localStorage, and cleared at logout
// (auth/session.ts, which knows this prefix).
const key = (ticketId: string, kind: string) => `switchboard.draft.${ticketId}.${kind}`;

export function loadDraft(ticketId: string, kind: string): string {
  try {
    return localStorage.getItem(key(ticketId, kind)) ?? "";
  } catch {
    return "";
  }
}

export function saveDraft(ticketId: string, kind: string, text: string) {
  try {
    if (text) localStorage.setItem(key(ticketId, kind), text);
    else localStorage.removeItem(key(ticketId, kind));
  } catch {
    // Storage full or disabled: the draft lives only in memory.
  }
}
