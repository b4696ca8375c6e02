// The keyboard help overlay: ? opens it anywhere (outside a text field), Escape closes it. "/" and
// Ctrl-K open the search palette (SearchPalette).
import { useEffect, useRef, useState } from "react";
import { isTyping } from "../lib/keyboard";

const SHORTCUTS: [string, string][] = [
  ["?", "Show this help"],
  ["/ or Ctrl+K", "Search tickets, customers, companies, leads and deals"],
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
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      if (event.key === "?") {
        event.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
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
