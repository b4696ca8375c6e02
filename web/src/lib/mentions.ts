// @mentions in internal notes and chat messages (docs/notifications.md): the composers insert
// `@[Name](member id)`; the server reads the id, readers see `@Name`. Pure functions, so the picker and
// the message views share one reading of the format.

/** The mention being typed: where its `@` is and what follows it up to the caret. */
export interface ActiveMention {
  at: number;
  query: string;
}

/** Longest name prefix the picker searches on; past it the `@` is just text. */
const MAX_QUERY = 30;

/** The mention being typed at `caret`, if any: an `@` at the start or after a space, then no line break or bracket. */
export function activeMention(text: string, caret: number): ActiveMention | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf("@");
  if (at < 0) return null;
  if (at > 0 && !/\s/.test(before[at - 1])) return null;
  const query = before.slice(at + 1);
  if (query.length > MAX_QUERY || /[\n[\]()@]/.test(query) || query.startsWith(" ")) return null;
  return { at, query };
}

export interface Mentionable {
  id: string;
  name: string;
  active: boolean;
}

/** Active members whose name has a word starting with `query` (any case), by name, at most `limit`. */
export function matchMembers<T extends Mentionable>(members: readonly T[], query: string, limit = 6): T[] {
  const wanted = query.trim().toLowerCase();
  return members
    .filter((member) => member.active)
    .filter((member) => !wanted || member.name.toLowerCase().startsWith(wanted) || member.name.toLowerCase().split(/\s+/).some((word) => word.startsWith(wanted)))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** The markup of one mention. Brackets in a name would end it early, so they become parentheses-free. */
export function mentionMarkup(member: Pick<Mentionable, "id" | "name">): string {
  return `@[${member.name.replace(/[[\]]/g, "")}](${member.id})`;
}

/** The text with the typed `@query` at `mention` replaced by the member's markup and a space; the caret after it. */
export function insertMention(text: string, caret: number, mention: ActiveMention, member: Pick<Mentionable, "id" | "name">): { text: string; caret: number } {
  const markup = `${mentionMarkup(member)} `;
  const next = text.slice(0, mention.at) + markup + text.slice(caret);
  return { text: next, caret: mention.at + markup.length };
}

export type Segment = { text: string } | { mention: string; name: string };

const MENTION = /@\[([^\]\n]{1,80})\]\(([0-9a-fA-F-]{36})\)/g;

/** A body split into text and mentions, for showing mentions as `@Name`. */
export function segments(body: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of body.matchAll(MENTION)) {
    const index = match.index ?? 0;
    if (index > last) out.push({ text: body.slice(last, index) });
    out.push({ mention: match[2].toLowerCase(), name: match[1] });
    last = index + match[0].length;
  }
  if (last < body.length) out.push({ text: body.slice(last) });
  return out;
}
