// Keyboard navigation of a list of links (inbox, SLA radar): j/k (or the arrows) move the selection and
// focus the row, Enter (or o) opens it; extra single-key shortcuts may be added. Keys typed into a
// field, or with a modifier, are left alone.
import { useEffect, useEffectEvent, useRef, useState } from "react";
import { isTyping, listKey } from "./keyboard";

interface ListKeyboardOptions<T> {
  /** What Enter does with the selected item. */
  open: (item: T) => void;
  /** When this changes (another view, other filters), the selection starts over. */
  resetOn?: string;
  /** More shortcuts of the screen, by key. */
  shortcuts?: Record<string, () => void>;
}

export function useListKeyboard<T>(items: readonly T[], { open, resetOn = "", shortcuts = {} }: ListKeyboardOptions<T>) {
  // The selection belongs to one list: after a reset it reads as none until a key or focus sets it.
  const [selection, setSelection] = useState({ list: resetOn, index: -1 });
  const selected = selection.list === resetOn ? selection.index : -1;
  const rows = useRef<(HTMLElement | null)[]>([]);

  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
    const shortcut = shortcuts[event.key];
    if (shortcut) {
      event.preventDefault();
      shortcut();
      return;
    }
    const action = listKey(event.key, selected, items.length);
    if (action.kind === "move") {
      event.preventDefault();
      setSelection({ list: resetOn, index: action.index });
      rows.current[action.index]?.focus();
    } else if (action.kind === "open") {
      event.preventDefault();
      open(items[action.index]);
    }
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  return {
    selected,
    /** For the row at this index: a ref the keys focus, and focus (by Tab or click) selecting it. */
    row: (index: number) => ({
      ref: (element: HTMLElement | null) => {
        rows.current[index] = element;
      },
      onFocus: () => setSelection({ list: resetOn, index }),
    }),
  };
}
