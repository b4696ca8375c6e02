// The @ picker of the note and chat composers, and mentions shown as "@Name" in what was written.
import { useState, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import { activeMention, insertMention, matchMembers, segments, type Mentionable } from "../lib/mentions";

/**
 * Offers members while an `@name` is being typed in `area`. The composer passes its key presses to
 * `onKeyDown` first (true: the picker used it) and renders `picker` under the text.
 */
export function useMentionPicker({
  text,
  setText,
  area,
  members,
  enabled = true,
}: {
  text: string;
  setText: (text: string) => void;
  area: RefObject<HTMLTextAreaElement | null>;
  members: readonly Mentionable[];
  enabled?: boolean;
}): { onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean; onCaret: () => void; picker: ReactNode } {
  const [caret, setCaret] = useState(0);
  const [highlight, setHighlight] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const mention = enabled ? activeMention(text, Math.min(caret, text.length)) : null;
  const open = mention && dismissedAt !== mention.at ? mention : null;
  const matches = open ? matchMembers(members, open.query) : [];
  const index = Math.min(highlight, Math.max(matches.length - 1, 0));

  const onCaret = () => {
    const position = area.current?.selectionStart ?? text.length;
    setCaret(position);
  };
  const choose = (member: Mentionable) => {
    if (!open) return;
    const result = insertMention(text, Math.min(caret, text.length), open, member);
    setText(result.text);
    setCaret(result.caret);
    setHighlight(0);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(result.caret, result.caret);
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || matches.length === 0) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setHighlight((index + step + matches.length) % matches.length);
      return true;
    }
    if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(matches[index]);
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      setDismissedAt(open.at);
      return true;
    }
    return false;
  };
  const picker =
    open && matches.length > 0 ? (
      <ul className="mention-picker" role="listbox" aria-label="Mention a teammate">
        {matches.map((member, position) => (
          <li key={member.id} role="option" aria-selected={position === index}>
            <button
              type="button"
              className={position === index ? "active" : ""}
              // Chosen on mouse down, before the text area loses focus and the caret with it.
              onMouseDown={(event) => {
                event.preventDefault();
                choose(member);
              }}
            >
              @{member.name}
            </button>
          </li>
        ))}
      </ul>
    ) : null;
  return { onKeyDown, onCaret, picker };
}

/** A body with its mentions shown as "@Name" (the directory's current name when it knows the member). */
export function WithMentions({ body, nameOf }: { body: string; nameOf?: (id: string) => string | undefined }) {
  return (
    <>
      {segments(body).map((segment, position) =>
        "mention" in segment ? (
          <span key={position} className="mention" data-member={segment.mention}>
            @{nameOf?.(segment.mention) ?? segment.name}
          </span>
        ) : (
          <span key={position}>{segment.text}</span>
        ),
      )}
    </>
  );
}
