// Exports: which filters on screen go with a job, and what a job's state means for the button.
import type { ExportJob } from "../api/types";

/** What can be exported (the API's `kind`). */
export type ExportKind =
  | "support_report"
  | "agent_report"
  | "sla_report"
  | "sales_report"
  | "daily_tickets_report"
  | "tickets"
  | "customers"
  | "leads"
  | "deals";

export type ExportFormat = "csv";

/** The filters as the API takes them: only those set (an empty select means "any"). */
export function exportFilters(filters: Record<string, string | null | undefined>): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(filters)) {
    if (value != null && value.trim() !== "") set[name] = value;
  }
  return set;
}

/** Whether the worker is done with the job (ready, failed or expired): no need to ask again. */
export function isSettled(job: Pick<ExportJob, "status"> | undefined): boolean {
  return job !== undefined && job.status !== "queued" && job.status !== "running";
}

export type ExportPhase =
  | { phase: "working"; message: string }
  | { phase: "ready"; url: string; filename: string; message: string }
  | { phase: "failed"; message: string }
  | { phase: "expired"; message: string };

/** What the button shows for a job. A ready job without a link (it expired meanwhile) is expired. */
export function exportPhase(job: Pick<ExportJob, "status" | "rows" | "error" | "filename" | "download">): ExportPhase {
  switch (job.status) {
    case "queued":
      return { phase: "working", message: "Preparing the export…" };
    case "running":
      return { phase: "working", message: job.rows > 0 ? `Writing the export… ${job.rows.toLocaleString()} rows so far` : "Writing the export…" };
    case "ready":
      if (job.download) {
        const rows = `${job.rows.toLocaleString()} ${job.rows === 1 ? "row" : "rows"}`;
        return { phase: "ready", url: job.download.url, filename: job.filename, message: rows };
      }
      return { phase: "expired", message: "The download link expired: export again." };
    case "failed":
      return { phase: "failed", message: job.error ?? "The export failed: try again." };
    default:
      return { phase: "expired", message: "The file was deleted after a day: export again." };
  }
}
