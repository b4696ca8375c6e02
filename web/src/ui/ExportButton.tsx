// An export of what is on screen: starts a job with the current filters, follows it, then offers the
// file. Changing the filters forgets the job (its file holds the old ones).
import { useEffect, useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { exportQuery, startExport } from "../api/queries/exports";
import { exportFilters, exportPhase, type ExportFormat, type ExportKind } from "../lib/exports";
import { InlineError } from "./states";

export function ExportButton({
  kind,
  filters = {},
  formats = ["csv"],
  what,
}: {
  kind: ExportKind;
  filters?: Record<string, string | null | undefined>;
  formats?: ExportFormat[];
  /** What is exported, for screen readers ("tickets", "the support report"). */
  what: string;
}) {
  const sent = exportFilters(filters);
  const key = JSON.stringify([kind, sent]);
  const [job, setJob] = useState<{ id: string; key: string } | null>(null);
  const start = useMutation({
    mutationFn: (format: ExportFormat) => startExport(kind, format, sent),
    onSuccess: (started) => setJob({ id: started.id, key }),
  });
  const current = job?.key === key ? job : null;
  const followed = useQuery({ ...exportQuery(current?.id ?? ""), enabled: current !== null });
  const { reset } = start;
  useEffect(() => {
    if (job && job.key !== key) reset();
  }, [job, key, reset]);

  const phase = current && followed.data ? exportPhase(followed.data) : null;
  const busy = start.isPending || phase?.phase === "working" || (current !== null && followed.isPending);
  return (
    <div className="export" data-testid={`export-${kind}`}>
      {phase?.phase === "ready" ? (
        <>
          <a className="button primary small" href={phase.url} download={phase.filename} data-testid="export-download">
            Download CSV
          </a>
          <span className="muted small">{phase.message}</span>
          <button type="button" className="button ghost small" onClick={() => setJob(null)}>
            New export
          </button>
        </>
      ) : (
        formats.map((format) => (
          <button
            key={format}
            type="button"
            className="button small"
            disabled={busy}
            aria-label={`Export ${format.toUpperCase()} of ${what}`}
            onClick={() => start.mutate(format)}
          >
            Export {format.toUpperCase()}
          </button>
        ))
      )}
      {phase && phase.phase !== "ready" && (
        <span className="muted small" role="status">
          {phase.message}
        </span>
      )}
      <InlineError error={start.error ?? followed.error} />
    </div>
  );
}
