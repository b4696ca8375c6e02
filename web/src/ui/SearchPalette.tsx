// The global search: a box in the sidebar and a command palette (Ctrl-K or Cmd-K anywhere, "/" outside
// a field). Results come as you type (a short pause first), the arrows move through them, Enter opens
// one, Escape closes; the last searches are offered when the box is empty.
import { useDeferredValue, useEffect, useId, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { searchQuery } from "../api/queries/search";
import type { Schemas } from "../api/types";
import { isTyping } from "../lib/keyboard";
import { useDebounced } from "../lib/useDebounced";
import { KIND_LABELS, loadRecent, opensPalette, paletteKey, resultPath, saveRecent, withRecent, type SearchKind } from "../lib/search";

type Result = Schemas["SearchResult"];

/** How long typing must pause before a search is sent. */
export const PAUSE_MS = 150;

export function Snippet({ result }: { result: Result }) {
  return (
    <span className="search-snippet">
      {result.snippet.parts.map((part, index) => (part.highlight ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}
    </span>
  );
}

export function SearchPalette() {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (open || !opensPalette(event, isTyping(event.target))) return;
      event.preventDefault();
      setOpen(true);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);
  return (
    <>
      <button type="button" className="search-box" onClick={() => setOpen(true)} aria-keyshortcuts="Control+K /">
        <span>Search…</span>
        <kbd>Ctrl K</kbd>
      </button>
      <dialog ref={dialog} className="dialog search-palette" aria-label="Search" onClose={() => setOpen(false)}>
        {open && <Palette close={() => setOpen(false)} />}
      </dialog>
    </>
  );
}

function Palette({ close }: { close: () => void }) {
  const navigate = useNavigate();
  const listId = useId();
  const [text, setText] = useState("");
  const [selected, setSelected] = useState({ for: "", index: -1 });
  const [recent, setRecent] = useState(loadRecent);
  const q = useDebounced(text.trim(), PAUSE_MS);
  const results = useQuery({ ...searchQuery(q), enabled: q.length > 0 });
  // The last answer stays on screen while the next one comes.
  const shown = useDeferredValue(q ? (results.data?.results ?? []) : []);
  const index = selected.for === q ? selected.index : shown.length > 0 ? 0 : -1;
  const openResult = (result: Result) => {
    const next = withRecent(recent, text);
    setRecent(next);
    saveRecent(next);
    close();
    navigate(resultPath(result.type, result.id));
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const action = paletteKey(event.key, index, shown.length);
    if (action.kind === "move") {
      event.preventDefault();
      setSelected({ for: q, index: action.index });
    } else if (action.kind === "open") {
      event.preventDefault();
      openResult(shown[action.index]);
    } else if (action.kind === "close") {
      event.preventDefault();
      close();
    }
  };
  const optionId = (i: number) => `${listId}-${i}`;
  return (
    <div className="palette">
      <input
        type="search"
        className="palette-input"
        aria-label="Search tickets, customers, companies, leads and deals"
        placeholder="Search tickets, customers, companies, leads and deals"
        role="combobox"
        aria-expanded={shown.length > 0}
        aria-controls={listId}
        aria-activedescendant={index >= 0 ? optionId(index) : undefined}
        autoFocus
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {!q && recent.length > 0 && (
        <div className="palette-recent">
          <h2 className="small">Recent searches</h2>
          <ul>
            {recent.map((r) => (
              <li key={r}>
                <button type="button" className="button ghost small" onClick={() => setText(r)}>
                  {r}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <ul id={listId} role="listbox" aria-label="Results" className="palette-results">
        {shown.map((result, i) => (
          <li
            key={`${result.type}/${result.id}`}
            id={optionId(i)}
            role="option"
            aria-selected={i === index}
            className={i === index ? "selected" : undefined}
            onMouseEnter={() => setSelected({ for: q, index: i })}
            onClick={() => openResult(result)}
          >
            <span className="badge">{KIND_LABELS[result.type as SearchKind] ?? result.type}</span>
            <span className="palette-title">{result.title}</span>
            <span className="small">{result.matched_field.replace("_", " ")}</span>
            <Snippet result={result} />
          </li>
        ))}
      </ul>
      {q && results.isSuccess && results.data.results.length === 0 && <p>Nothing matches “{q}”.</p>}
      {results.isError && <p role="alert">Search failed; try again.</p>}
      <p className="small">↑ ↓ to move, Enter to open, Esc to close</p>
    </div>
  );
}
