// The search field of a list (inbox, leads, deals, customers, companies). Typing narrows the list to
// what GET /api/v1/search finds of the list's type under the list's own filters, as you type (after a
// short pause), typos and all; the arrows move through the results, Enter opens one, Escape clears the
// field and the list is back.
import { useDeferredValue, useId, useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { listSearchQuery } from "../api/queries/search";
import { listSearchKey, listSearchParams, type ListSearchFilters } from "../lib/listSearch";
import { resultPath, type SearchKind } from "../lib/search";
import { useDebounced } from "../lib/useDebounced";
import { PAUSE_MS, Snippet } from "./SearchPalette";
import { ErrorState } from "./states";

interface ListSearchProps {
  type: SearchKind;
  /** What the field reads as, e.g. "Search leads". */
  label: string;
  filters?: ListSearchFilters;
  /** The list itself, shown while the field is empty. */
  children: ReactNode;
}

export function ListSearch({ type, label, filters = {}, children }: ListSearchProps) {
  const navigate = useNavigate();
  const listId = useId();
  const [text, setText] = useState("");
  const [selected, setSelected] = useState({ for: "", index: -1 });
  const params = listSearchParams(type, useDebounced(text, PAUSE_MS), filters);
  const results = useQuery({ ...listSearchQuery(params ?? { q: "", types: type, limit: 0 }), enabled: params !== null });
  // The last answer stays on screen while the next one comes.
  const shown = useDeferredValue(params ? (results.data?.results ?? []) : []);
  const searching = text.trim().length > 0;
  const key = JSON.stringify(params);
  const index = selected.for === key ? selected.index : shown.length > 0 ? 0 : -1;
  const optionId = (i: number) => `${listId}-${i}`;
  const onKeyDown = (event: React.KeyboardEvent) => {
    const action = listSearchKey(event.key, index, shown.length, text);
    if (action.kind === "none") return;
    event.preventDefault();
    if (action.kind === "move") setSelected({ for: key, index: action.index });
    else if (action.kind === "open") navigate(resultPath(shown[action.index].type, shown[action.index].id));
    else setText("");
  };
  return (
    <div className="list-search">
      <input
        type="search"
        className="list-search-input"
        aria-label={label}
        placeholder={`${label}…`}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={searching && shown.length > 0}
        aria-controls={listId}
        aria-activedescendant={searching && index >= 0 ? optionId(index) : undefined}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {!searching ? (
        children
      ) : results.isError ? (
        <ErrorState error={results.error} retry={() => void results.refetch()} />
      ) : (
        <>
          <ul id={listId} role="listbox" aria-label={`${label}: results`} className="ticket-list list-search-results" data-testid="list-search-results">
            {shown.map((result, i) => (
              <li
                key={result.id}
                id={optionId(i)}
                role="option"
                aria-selected={i === index}
                className={`ticket-item ${i === index ? "selected" : ""}`}
                onMouseEnter={() => setSelected({ for: key, index: i })}
                onClick={() => navigate(resultPath(result.type, result.id))}
              >
                <span className="ticket-main">
                  <span className="ticket-subject">{result.title}</span>
                  <span className="ticket-preview muted">
                    <span className="small">{result.matched_field.replace("_", " ")}: </span>
                    <Snippet result={result} />
                  </span>
                </span>
              </li>
            ))}
          </ul>
          {params && results.isSuccess && results.data.results.length === 0 && <p className="muted list-search-none">Nothing matches “{params.q}” here.</p>}
          <p className="muted small">↑ ↓ to move, Enter to open, Esc to clear</p>
        </>
      )}
    </div>
  );
}
