// The staff member's second factor: set up an authenticator app (the secret is shown once), confirm it
// with a code; from then on every staff login asks for a code.
import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { beginTotpEnrolment, confirmTotp } from "../../api/queries/platform";
import { setStaffSession, staffSession } from "../../auth";
import { InlineError } from "../../ui/states";
import { PlatformShell } from "./Shell";

export function Component() {
  const session = staffSession();
  const [code, setCode] = useState("");
  const begin = useMutation({ mutationFn: beginTotpEnrolment });
  const confirm = useMutation({
    mutationFn: confirmTotp,
    onSuccess: (staff) => {
      const current = staffSession();
      if (current) setStaffSession({ ...current, staff });
    },
  });
  const enrolled = confirm.isSuccess || Boolean(session?.staff.second_factor);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate(code.trim());
  };
  return (
    <PlatformShell>
      <h1>Second factor</h1>
      {enrolled ? (
        <p role="status">Your authenticator app is set up: every login asks for its current code. If you lose it, operations can reset it.</p>
      ) : !begin.data ? (
        <>
          <p>Staff logins can ask for a code from an authenticator app as well as the password. Set it up once; the secret is shown only now.</p>
          <InlineError error={begin.error} />
          <button type="button" className="button primary" disabled={begin.isPending} onClick={() => begin.mutate()}>
            Set up an authenticator app
          </button>
        </>
      ) : (
        <form onSubmit={submit} className="totp-enrolment">
          <p>Add this to your authenticator app (most apps import the link; or type the key), then enter the code it shows.</p>
          <label>
            Link
            <input readOnly value={begin.data.otpauth_uri} onFocus={(event) => event.target.select()} />
          </label>
          <label>
            Key
            <input readOnly value={begin.data.secret} onFocus={(event) => event.target.select()} className="mono" />
          </label>
          <label>
            Code from the app
            <input inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(event) => setCode(event.target.value)} />
          </label>
          <InlineError error={confirm.error} />
          <button type="submit" className="button primary" disabled={confirm.isPending || code.trim().length !== 6}>
            Confirm
          </button>
        </form>
      )}
    </PlatformShell>
  );
}
