// Platform staff log in here, apart from every workspace.
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { ApiError, call, platformApi } from "../../api/client";
import { setStaffSession } from "../../auth";
import { InlineError } from "../../ui/states";
import { AuthFrame, Field } from "../auth/AuthFrame";

export function Component() {
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // Shown once the account turns out to have a second factor (401 second-factor-required).
  const [needsCode, setNeedsCode] = useState(false);
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const body = needsCode ? { email, password, totp_code: code.trim() } : { email, password };
      const session = await call(platformApi.POST("/api/v1/platform/auth/login", { body }));
      setStaffSession({ accessToken: session.access_token, expiresAt: Date.now() + session.expires_in * 1000, staff: session.staff });
      navigate("/platform", { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.slug === "second-factor-required") {
        setNeedsCode(true);
        return;
      }
      setError(err);
    }
  };
  return (
    <AuthFrame title="Platform console">
      <p className="muted">For Switchboard staff. Sessions last 15 minutes.</p>
      <form onSubmit={submit} noValidate>
        <Field label="E-mail">{(props) => <input {...props} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
        <Field label="Password">
          {(props) => <input {...props} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        {needsCode && (
          <Field label="Code from your authenticator app">
            {(props) => <input {...props} inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus value={code} onChange={(e) => setCode(e.target.value)} />}
          </Field>
        )}
        <InlineError error={error} />
        <button type="submit" className="button primary wide">
          Log in
        </button>
      </form>
    </AuthFrame>
  );
}
