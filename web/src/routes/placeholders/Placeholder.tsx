import type { ReactNode } from "react";

/** A screen whose API is not available yet: says so plainly instead of pretending. */
export function Placeholder({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="page">
      <h1>{title}</h1>
      <div className="state empty card">
        <h2>Coming soon</h2>
        <p>{children}</p>
      </div>
    </div>
  );
}
