// Create a workspace (free plan) with the caller as its owner.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { sessions } from "../../auth";
import { InlineError } from "../../ui/states";
import { AuthFrame, Field } from "./AuthFrame";

export function Component() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [form, setForm] = useState({ workspace_name: "", name: "", email: "", password: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldError(field) : undefined);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await call(api.POST("/api/v1/auth/signup", { body: form }));
      queries.clear();
      sessions.start(response);
      navigate("/inbox", { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const generalError = error instanceof ApiError && error.slug === "validation-failed" ? null : error;
  return (
    <AuthFrame
      title="Create your workspace"
      footer={
        <>
          Already have an account? <Link to="/login">Log in</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <Field label="Workspace name" error={fieldError("workspace_name")}>
          {(props) => <input {...props} required value={form.workspace_name} onChange={set("workspace_name")} autoFocus />}
        </Field>
        <Field label="Your name" error={fieldError("name")}>
          {(props) => <input {...props} autoComplete="name" required value={form.name} onChange={set("name")} />}
        </Field>
        <Field label="Work e-mail" error={fieldError("email")}>
          {(props) => <input {...props} type="email" autoComplete="email" required value={form.email} onChange={set("email")} />}
        </Field>
        <Field label="Password" error={fieldError("password")} hint="At least 10 characters.">
          {(props) => (
            <input {...props} type="password" autoComplete="new-password" required value={form.password} onChange={set("password")} />
          )}
        </Field>
        <InlineError error={generalError} />
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? "Creating…" : "Create workspace"}
        </button>
      </form>
    </AuthFrame>
  );
}
