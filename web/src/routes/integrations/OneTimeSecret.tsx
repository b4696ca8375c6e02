import { useState } from "react";

/** A secret the server shows once: copy it now. */
export function OneTimeSecret({ title, secret, onDone }: { title: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="notice secret" role="status" data-testid="one-time-secret">
      <p>
        <strong>{title}</strong>: copy the secret now; it will not be shown again.
      </p>
      <code className="secret-value">{secret}</code>
      <div className="row tight">
        <button
          type="button"
          className="button small"
          onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false))}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className="button ghost small" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </div>
  );
}
