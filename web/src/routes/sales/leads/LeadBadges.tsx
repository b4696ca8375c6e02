// A lead's status in the workspace's own words, coloured by what it means (open work, converted, lost).
import type { LeadStatus } from "../../../api/queries/sales";
import { label } from "../../../lib/format";

export function LeadStatusBadge({ status, statuses }: { status: string; statuses: readonly LeadStatus[] | undefined }) {
  const known = statuses?.find((s) => s.key === status);
  return <span className={`badge lead-${known?.meaning ?? "open"}`}>{known?.label ?? label(status)}</span>;
}

/** "Web form", "Referral": a source as people say it. */
export const sourceLabel = (source: string) => label(source);
