import { initials } from "../lib/format";

const COLORS = ["#4f46e5", "#0f766e", "#b45309", "#be185d", "#1d4ed8", "#6d28d9", "#15803d", "#c2410c"];

function colorOf(seed: string) {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return COLORS[hash % COLORS.length];
}

export function Avatar({ name, id, size = 28, online }: { name: string; id?: string; size?: number; online?: boolean }) {
  return (
    <span
      className="avatar"
      style={{ width: size, height: size, background: colorOf(id ?? name), fontSize: size * 0.4 }}
      title={name}
      aria-label={name}
      role="img"
    >
      {initials(name)}
      {online && <span className="online-dot" aria-hidden="true" />}
    </span>
  );
}
