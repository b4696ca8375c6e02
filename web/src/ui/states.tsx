// Loading, empty, error and forbidden states, used the same way on every screen.
import type { ReactNode } from "react";
import { Link } from "react-router";
import { ApiError, messageOf } from "../api/problem";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Empty({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state empty">
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  if (error instanceof ApiError && error.status === 403) return <Forbidden detail={error.message} />;
  if (error instanceof ApiError && error.status === 404) return <NotFound />;
  const reference = error instanceof ApiError ? error.problem.request_id : undefined;
  return (
    <div className="state error" role="alert">
      <h2>That did not work</h2>
      <p>{messageOf(error)}</p>
      {reference && <p className="muted small">Reference: {reference}</p>}
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Forbidden({ detail }: { detail?: string }) {
  return (
    <div className="state forbidden" role="alert">
      <div className="state-code">403</div>
      <h2>Your role cannot open this</h2>
      <p>{detail ?? "This part of Switchboard needs a role with more rights. Ask a workspace owner or admin."}</p>
      <Link className="button" to="/inbox">
        Back to the inbox
      </Link>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="state" role="alert">
      <div className="state-code">404</div>
      <h2>Nothing here</h2>
      <p>It may have been removed, or it belongs to another workspace.</p>
      <Link className="button" to="/inbox">
        Back to the inbox
      </Link>
    </div>
  );
}

/** An inline error under a form or action. */
export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="inline-error" role="alert">
      {messageOf(error)}
    </p>
  );
}
