// The lead form's text fields turned into what the API takes: blanks left out (create) or cleared
// (edit), tags split on commas, the score a whole number 0–100 or nothing.
export interface LeadFormValues {
  name: string;
  email: string;
  phone: string;
  company: string;
  title: string;
  source: string;
  tags: string;
  score: string;
}

export const emptyLeadForm: LeadFormValues = { name: "", email: "", phone: "", company: "", title: "", source: "manual", tags: "", score: "" };

export function splitTags(text: string): string[] {
  return [...new Set(text.split(",").map((tag) => tag.trim()).filter(Boolean))];
}

/** The score as typed: a number, null for blank, NaN when it is no whole number (see `scoreError`). */
export function parseScore(text: string): number | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** The fields of a new lead; blanks are left out so the API's defaults apply. */
export function createBody(form: LeadFormValues) {
  const text = (value: string) => value.trim() || undefined;
  const score = parseScore(form.score);
  return {
    name: form.name.trim(),
    email: text(form.email),
    phone: text(form.phone),
    company: text(form.company),
    title: text(form.title),
    source: form.source || undefined,
    tags: splitTags(form.tags),
    score: score === null ? undefined : score,
  };
}

/** The fields of an edit at a version: only those changed from `original` (the form as it was opened),
 * so saving over a teammate's change keeps theirs where this edit did not touch; blanks clear a field. */
export function updateBody(form: LeadFormValues, version: number, original: LeadFormValues) {
  const text = (value: string) => value.trim() || null;
  const all = {
    name: form.name.trim(),
    email: text(form.email),
    phone: text(form.phone),
    company: text(form.company),
    title: text(form.title),
    source: form.source,
    tags: splitTags(form.tags),
    score: parseScore(form.score),
  };
  const changed = Object.fromEntries(Object.entries(all).filter(([key]) => form[key as keyof LeadFormValues] !== original[key as keyof LeadFormValues]));
  return { version, ...changed } as Partial<typeof all> & { version: number };
}

/** The form's own check of the score (NaN would travel as null and clear it); the API checks the range. */
export function scoreError(form: LeadFormValues): string | undefined {
  return Number.isNaN(parseScore(form.score)) ? "must be a whole number from 0 to 100" : undefined;
}
