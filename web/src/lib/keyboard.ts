// Keyboard navigation of lists (j/k/Enter), kept pure so it can be tested without a browser.

export type ListKeyAction = { kind: "move"; index: number } | { kind: "open"; index: number } | { kind: "none" };

export function listKey(key: string, index: number, length: number): ListKeyAction {
  if (length === 0) return { kind: "none" };
  switch (key) {
    case "j":
    case "ArrowDown":
      return { kind: "move", index: index < 0 ? 0 : Math.min(length - 1, index + 1) };
    case "k":
    case "ArrowUp":
      return { kind: "move", index: index < 0 ? 0 : Math.max(0, index - 1) };
    case "Enter":
    case "o":
      return index >= 0 && index < length ? { kind: "open", index } : { kind: "none" };
    default:
      return { kind: "none" };
  }
}

/** Shortcuts must not fire while the user types in a field. */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== "string") return false;
  const element = target as HTMLElement;
  const tag = element.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || element.isContentEditable === true;
}
