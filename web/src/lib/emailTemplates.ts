// Notification templates of the e-mail channel: what a template will read like (the preview) and which
// of its placeholders the server will refuse. The server is the authority (it answers 422 naming them);
// this lets the screen say so while the admin types.

/** Sample values the preview fills in, by placeholder name. */
export const SAMPLE_VALUES: Record<string, string> = {
  "ticket.reference": "[#1042]",
  "ticket.number": "1042",
  "ticket.subject": "The printer is on fire",
  "customer.name": "Ada Lovelace",
  "workspace.name": "Your workspace",
};

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders of `text` that are not in `known`, each once, as written (`{{ticket.id}}`). */
export function unknownPlaceholders(text: string, known: readonly string[]): string[] {
  const unknown: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    const shown = `{{${name}}}`;
    if (!known.includes(name) && !unknown.includes(shown)) unknown.push(shown);
  }
  return unknown;
}

/** Whether `text` opens a `{{` it never closes. */
export function hasUnclosedPlaceholder(text: string): boolean {
  const rest = text.replace(PLACEHOLDER, "");
  return rest.includes("{{");
}

/** `text` with every known placeholder replaced by its value; unknown ones stay as written. */
export function renderTemplate(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}

/** What a reply reads like with the signature below the standard "-- " delimiter (as the server does). */
export function withSignature(text: string, signature: string): string {
  const trimmed = signature.trim();
  return trimmed ? `${text.trimEnd()}\n\n-- \n${trimmed}` : text;
}

/** The problem of a template while it is typed, or null. */
export function templateProblem(text: string, known: readonly string[]): string | null {
  if (!text.trim()) return "is required";
  if (hasUnclosedPlaceholder(text)) return "has a “{{” that is never closed with “}}”";
  const unknown = unknownPlaceholders(text, known);
  if (unknown.length) return `uses unknown placeholders ${unknown.join(", ")}`;
  return null;
}
