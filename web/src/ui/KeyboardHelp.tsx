// The keyboard help overlay: ? opens it anywhere (outside a text field), Escape closes it; / jumps to
// the inbox's filter field (search, once it exists, takes the key over).
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { isTyping } from "../lib/keyboard";

const SHORTCUTS: [string, string][] = [
  ["?", "Show this help"],
  ["/", "Filter the inbox"],
  ["j / k", "Next / previous ticket or lead in a list"],
  ["Enter or o", "Open the selected ticket or lead"],
  ["x", "Pick the selected lead for a bulk change (leads)"],
  ["n", "New ticket (inbox) or new lead (leads)"],
  ["u", "Back to the inbox (on a ticket)"],
  ["m", "Pick a macro (on a ticket)"],
  ["Ctrl+Enter", "Send the reply, or apply the macro"],
  ["]", "Next ticket in the current view (on a ticket)"],
];

export function KeyboardHelp() {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const navigate = useNavigate();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      if (event.key === "?") {
        event.preventDefault();
        setOpen(true);
      } else if (event.key === "/") {
        event.preventDefault();
        const field = document.getElementById("inbox-search");
        if (field) field.focus();
        else navigate("/inbox");
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);
  return (
    <dialog ref={dialog} className="keyboard-help" aria-labelledby="keyboard-help-title" onClose={() => setOpen(false)}>
      <h2 id="keyboard-help-title">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} className="shortcut">
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <button type="button" className="button" onClick={() => setOpen(false)}>
        Close
      </button>
    </dialog>
  );
}
