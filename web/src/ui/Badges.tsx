import { label } from "../lib/format";

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{label(status)}</span>;
}

export function PriorityBadge({ priority }: { priority: string }) {
  return (
    <span className={`priority priority-${priority}`}>
      <span className="priority-dot" aria-hidden="true" />
      {label(priority)}
    </span>
  );
}
