// The lead-capture mapping editor's rules, kept apart from the screen so they are tested alone: rows of
// (lead field, source) to the API's mapping object and back, the sample payload's parsing, starting
// rows per kind, and the URL a sender is given.

export type CaptureKind = "typeform" | "zapier" | "json";

export interface MappingRow {
  field: string;
  source: string;
}

/** The lead fields a mapping may fill; `attributes.<key>` is any custom attribute. */
export const LEAD_FIELDS = ["name", "first_name", "last_name", "email", "phone", "company", "title"] as const;

/** What a row's source means for each kind, for the editor's placeholder. */
export function sourceHint(kind: CaptureKind): string {
  return kind === "typeform" ? "question ref, e.g. work_email" : "dotted path, e.g. contact.emails[0]";
}

/** Rows to start from: the usual fields, with sources in the kind's own style. */
export function startingRows(kind: CaptureKind): MappingRow[] {
  if (kind === "typeform") {
    return [
      { field: "name", source: "full_name" },
      { field: "email", source: "email" },
    ];
  }
  return [
    { field: "name", source: "name" },
    { field: "email", source: "email" },
    { field: "company", source: "company" },
  ];
}

function validField(field: string): boolean {
  return (LEAD_FIELDS as readonly string[]).includes(field) || /^attributes\.[A-Za-z0-9_-]{1,64}$/.test(field);
}

/**
 * The mapping object the API takes, or the problems that keep the rows from being one (said before
 * anything is sent). Rows left wholly empty are ignored.
 */
export function rowsToMapping(rows: MappingRow[]): { mapping: Record<string, string>; problems: string[] } {
  const mapping: Record<string, string> = {};
  const problems: string[] = [];
  for (const [index, row] of rows.entries()) {
    const field = row.field.trim();
    const source = row.source.trim();
    if (!field && !source) continue;
    const line = `Row ${index + 1}`;
    if (!validField(field)) problems.push(`${line}: “${field}” is not a lead field (use ${LEAD_FIELDS.join(", ")} or attributes.<key>)`);
    else if (!source) problems.push(`${line}: say where ${field} comes from`);
    else if (field in mapping) problems.push(`${line}: ${field} is mapped twice`);
    else mapping[field] = source;
  }
  if (problems.length === 0 && !["name", "first_name", "last_name", "email"].some((field) => field in mapping)) {
    problems.push("Map at least a name or an e-mail: a lead needs a name");
  }
  return { mapping, problems };
}

export function mappingToRows(mapping: Record<string, string>): MappingRow[] {
  return Object.entries(mapping).map(([field, source]) => ({ field, source }));
}

/** The sample payload as JSON, or why it is not. */
export function parseSample(text: string): { ok: true; payload: unknown } | { ok: false; problem: string } {
  if (!text.trim()) return { ok: false, problem: "Paste a sample payload (JSON) to try the mapping on" };
  try {
    return { ok: true, payload: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, problem: `The sample is not JSON: ${(error as Error).message}` };
  }
}

/** The URL to paste into Typeform or the Zap: the API's base (this origin when empty) and the path. */
export function inboundUrl(apiUrl: string, origin: string, inboundPath: string): string {
  return `${(apiUrl || origin).replace(/\/+$/, "")}${inboundPath}`;
}
