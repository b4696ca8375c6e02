// A soft claim says "I am working this ticket" for a while; it blocks nothing but warns the others.
import { useEffect, useState } from "react";
import type { Claim } from "../../live/live";

const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

export function ClaimBanner({
  claim,
  myId,
  nameOf,
  canClaim,
  onClaim,
  onRelease,
}: {
  claim: Claim | null;
  myId?: string;
  nameOf: (id: string) => string;
  canClaim: boolean;
  onClaim: () => void;
  onRelease: () => void;
}) {
  // Claims lapse without a push: compare with the clock, re-checked every 15 s.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const active = claim && Date.parse(claim.expires_at) > now ? claim : null;
  if (active && active.user_id !== myId) {
    return (
      <div className="claim-banner other" role="status" data-testid="claim-banner">
        <strong>{nameOf(active.user_id)}</strong> is working on this ticket until {time(active.expires_at)}. Coordinate before replying.
      </div>
    );
  }
  if (active) {
    return (
      <div className="claim-banner mine" role="status" data-testid="claim-banner">
        You are working on this ticket until {time(active.expires_at)}; others see it.
        <button type="button" className="button ghost small" onClick={onRelease}>
          Release
        </button>
      </div>
    );
  }
  if (!canClaim) return null;
  return (
    <div className="claim-banner free">
      <button type="button" className="button small" onClick={onClaim}>
        I'm working on this
      </button>
      <span className="muted small">Tells your team for 15 minutes.</span>
    </div>
  );
}
