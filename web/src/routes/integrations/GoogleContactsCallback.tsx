// Where Google sends the member back after consent: posts the code and state to the API (which holds
// the PKCE verifier), then shows the connection.
import { useEffect, useRef } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { integrationKeys } from "../../api/queries/keys";
import { InlineError, Loading } from "../../ui/states";

export function Component() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const code = params.get("code");
  const state = params.get("state");
  const denied = params.get("error");
  const { mutate, ...complete } = useMutation({
    mutationFn: () => call(api.POST("/api/v1/integrations/google-contacts/callback", { body: { code: code ?? "", state: state ?? "" } })),
    onSuccess: (view) => {
      queries.setQueryData(integrationKeys.googleContacts(), view);
      void navigate("/settings/google-contacts", { replace: true });
    },
  });
  // A code works once: post it once, even when the page renders twice.
  const posted = useRef(false);
  useEffect(() => {
    if (code && state && !posted.current) {
      posted.current = true;
      mutate();
    }
  }, [code, state, mutate]);

  if (denied || !code || !state) {
    return (
      <section>
        <h2>Google Contacts</h2>
        <p role="alert">Google did not connect{denied ? ` (${denied})` : ""}.</p>
        <Link to="/settings/google-contacts">Back to Google Contacts</Link>
      </section>
    );
  }
  if (complete.isError) {
    return (
      <section>
        <h2>Google Contacts</h2>
        <InlineError error={complete.error} />
        <Link to="/settings/google-contacts">Try again</Link>
      </section>
    );
  }
  return <Loading label="Connecting Google…" />;
}
