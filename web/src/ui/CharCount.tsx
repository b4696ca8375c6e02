// "1,234 / 20,000" under a field with a limit; it turns to the warning colour near the end, and is
// announced politely so a screen reader hears it only when it matters.
const WARN_AT = 0.9;

export function CharCount({ length, max, id }: { length: number; max: number; id?: string }) {
  const near = length >= max * WARN_AT;
  return (
    <span id={id} className={`char-count muted small${near ? " char-count-near" : ""}`} aria-live={near ? "polite" : "off"}>
      {length.toLocaleString("en")} / {max.toLocaleString("en")}
    </span>
  );
}
