// Log in; when the e-mail and password match several workspaces, pick one.
import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { sessions, useSession } from "../../auth";
import { InlineError } from "../../ui/states";
import { AuthFrame, Field } from "./AuthFrame";

interface WorkspaceChoice {
  id: string;
  name: string;
}

const ENDED: Record<string, string> = {
  expired: "Your session has expired. Log in again to carry on; your unsent drafts are kept.",
  revoked: "Your session was ended for safety. Log in again; your unsent drafts are kept.",
};

export function Component() {
  const session = useSession();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const next = params.get("next") || "/inbox";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [choices, setChoices] = useState<WorkspaceChoice[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (session && !busy) return <Navigate to={next} replace />;

  const login = async (workspaceId?: string) => {
    setBusy(true);
    setError(null);
    try {
      const response = await call(
        api.POST("/api/v1/auth/login", { body: { email, password, workspace_id: workspaceId ?? null } }),
      );
      queries.clear();
      sessions.start(response);
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.slug === "workspace-selection-required") {
        setChoices((err.problem.workspaces as WorkspaceChoice[]) ?? []);
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void login();
  };

  if (choices) {
    return (
      <AuthFrame title="Choose a workspace" footer={<button type="button" className="link" onClick={() => setChoices(null)}>Use another account</button>}>
        <p className="muted">{email} belongs to several workspaces. Which one do you want to open?</p>
        <ul className="choice-list" aria-label="Workspaces">
          {choices.map((choice) => (
            <li key={choice.id}>
              <button type="button" className="choice" onClick={() => void login(choice.id)} disabled={busy}>
                <span className="choice-name">{choice.name}</span>
                <span aria-hidden="true">→</span>
              </button>
            </li>
          ))}
        </ul>
        <InlineError error={error} />
      </AuthFrame>
    );
  }

  const ended = sessions.endReason ? ENDED[sessions.endReason] : undefined;
  return (
    <AuthFrame
      title="Log in"
      footer={
        <>
          New here? <Link to="/signup">Create a workspace</Link>
        </>
      }
    >
      {ended && (
        <p className="notice" role="status">
          {ended}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <Field label="E-mail">
          {(props) => (
            <input {...props} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
          )}
        </Field>
        <Field label="Password">
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <InlineError error={error} />
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </form>
    </AuthFrame>
  );
}
