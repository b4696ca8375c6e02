// The frame of every platform console screen: who is signed in, the console's sections, logging out.
// Without a staff session it sends the visitor to the staff login.
import type { ReactNode } from "react";
import { Navigate, NavLink, useNavigate } from "react-router";
import { setStaffSession, staffSession } from "../../auth";

export function PlatformShell({ children }: { children: ReactNode }) {
  const session = staffSession();
  const navigate = useNavigate();
  if (!session) return <Navigate to="/platform/login" replace />;
  return (
    <div className="platform">
      <header className="platform-head">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Switchboard platform</span>
        </div>
        <nav aria-label="Platform console" className="platform-nav">
          <NavLink to="/platform" end>
            Workspaces
          </NavLink>
          <NavLink to="/platform/health">Health</NavLink>
          <NavLink to="/platform/security">Second factor</NavLink>
        </nav>
        <span className="muted">{session.staff.name}</span>
        <button
          type="button"
          className="button ghost small"
          onClick={() => {
            setStaffSession(null);
            navigate("/platform/login");
          }}
        >
          Log out
        </button>
      </header>
      <main className="page" id="main">
        {children}
      </main>
    </div>
  );
}
