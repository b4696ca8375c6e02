// What the workspace's standing (GET /me `workspace.standing`) tells everyone: a past-due banner with the
// days of grace left, and who can act on it (owners manage billing). Suspended workspaces never get this
// far: every route answers 403 `workspace-suspended`.
import type { Schemas } from "../api/types";

export type Standing = Schemas["Standing"];

export interface StandingNotice {
  text: string;
  /** Owners can pay: the banner links them to the plan page. */
  actionable: boolean;
}

export function standingNotice(standing: Standing | undefined, isOwner: boolean, now = Date.now()): StandingNotice | null {
  if (!standing || standing.status !== "past_due") return null;
  const left = Math.max(0, Math.ceil((Date.parse(standing.grace_until) - now) / 86_400_000));
  const when = left === 0 ? "today" : left === 1 ? "in 1 day" : `in ${left} days`;
  const text = isOwner
    ? `The last payment failed. Update the payment method or the workspace is suspended ${when}.`
    : `The last payment failed. Ask an owner to update it: the workspace is suspended ${when} otherwise.`;
  return { text, actionable: isOwner };
}
