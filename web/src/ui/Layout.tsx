// The signed-in frame: navigation (Support, then Sales for roles that may see leads) by what the role may see, the live indicator, the user menu.
import { Suspense, useState } from "react";
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { channelsQuery } from "../api/queries/chat";
import { sessions, useSession } from "../auth";
import { useMe } from "../api/queries/members";
import { useCounts } from "../api/queries/tickets";
import { useUnreadCount } from "../api/queries/notifications";
import { LiveProvider, useLiveStatus } from "../live/live";
import { Avatar } from "./Avatar";
import { Loading } from "./states";
import { KeyboardHelp } from "./KeyboardHelp";
import { SearchPalette } from "./SearchPalette";
import { standingNotice } from "../lib/standing";

/** The Sales section of the navigation, in the order reps work. */
const SALES_LINKS = [
  ["/sales/leads", "Leads"],
  ["/sales/deals", "Deals"],
  ["/sales/companies", "Companies"],
  ["/sales/tasks", "My tasks"],
  ["/sales/dashboard", "Dashboard"],
] as const;

export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`} replace />;
  }
  return (
    <LiveProvider>
      <Shell />
    </LiveProvider>
  );
}

function LiveIndicator() {
  const status = useLiveStatus();
  const text = status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Offline";
  const title =
    status === "live"
      ? "Updates arrive as they happen"
      : "Live updates are not connected; lists refresh when you act or reload. Retrying in the background.";
  return (
    <span className={`live live-${status}`} title={title} role="status" aria-live="polite" data-testid="live-status">
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** The bell: the unread notifications, leading to the centre. */
function NotificationBell() {
  const unread = useUnreadCount() ?? 0;
  return (
    <NavLink to="/notifications" data-testid="notification-bell">
      {/* One child for the label, so the nav row puts it left and the count right. */}
      <span>
        <svg className="bell" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>
        Notifications
      </span>
      {unread > 0 && (
        <span className="count" aria-label={`${unread} unread`}>
          {unread}
        </span>
      )}
    </NavLink>
  );
}

function Shell() {
  const session = useSession();
  const me = useMe();
  const counts = useCounts();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const can = (permission: string) => me.data?.permissions.includes(permission as never) ?? false;
  const chat = useQuery({ ...channelsQuery(), enabled: can("chat:use"), refetchInterval: 60_000 });
  const unread = chat.data?.items.reduce((sum, channel) => sum + channel.unread, 0) ?? 0;
  const logout = async () => {
    await sessions.logout();
    queries.clear();
    navigate("/login", { replace: true });
  };
  const user = me.data?.user ?? session?.user;
  // On a phone the navigation folds into a menu, closed again once a page is chosen.
  const [menu, setMenu] = useState({ open: false, at: location.pathname });
  const menuOpen = menu.open && menu.at === location.pathname;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className={`sidebar ${menuOpen ? "menu-open" : ""}`} aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <div>
            <div className="brand-name">Switchboard</div>
            <div className="workspace-name" data-testid="workspace-name">
              {session?.workspace.name}
            </div>
          </div>
          <button
            type="button"
            className="button small menu-button"
            aria-expanded={menuOpen}
            aria-controls="main-menu"
            onClick={() => setMenu({ open: !menuOpen, at: location.pathname })}
          >
            {menuOpen ? "Close" : "Menu"}
            {!menuOpen && unread > 0 && <span className="menu-dot" aria-hidden="true" />}
          </button>
        </div>
        <div className="menu" id="main-menu">
          <SearchPalette />
          <h2 className="nav-section" id="nav-support">
            Support
          </h2>
          <ul className="nav" aria-labelledby="nav-support">
            <li>
              <NavLink to="/inbox">
                Inbox
                {counts.data && <span className="count" aria-label={`${counts.data.open} open`}>{counts.data.open}</span>}
              </NavLink>
            </li>
            <li>
              <NavLink to="/customers">Customers</NavLink>
            </li>
            <li>
              <NavLink to="/sla-radar">SLA radar</NavLink>
            </li>
            {can("chat:use") && (
              <li>
                <NavLink to="/chat">
                  Team chat
                  {unread > 0 && <span className="count" aria-label={`${unread} unread`}>{unread}</span>}
                </NavLink>
              </li>
            )}
            <li>
              <NavLink to="/reports">Reports</NavLink>
            </li>
          </ul>
          {can("sales:read") && (
            <>
              <h2 className="nav-section" id="nav-sales">
                Sales
              </h2>
              <ul className="nav" aria-labelledby="nav-sales">
                {SALES_LINKS.map(([to, name]) => (
                  <li key={to}>
                    <NavLink to={to}>{name}</NavLink>
                  </li>
                ))}
              </ul>
            </>
          )}
          <ul className="nav nav-foot">
            <li>
              <NotificationBell />
            </li>
            {can("activity:read") && (
              <li>
                <NavLink to="/activity">Activity</NavLink>
              </li>
            )}
            <li>
              <NavLink to="/settings">Settings</NavLink>
            </li>
          </ul>
          <div className="sidebar-foot">
            <LiveIndicator />
            {user && (
              <div className="me">
                <Avatar name={user.name} id={user.id} size={32} />
                <div className="me-text">
                  <div className="me-name">{user.name}</div>
                  <div className="muted small">{me.data?.role ?? user.role}</div>
                </div>
              </div>
            )}
            <button type="button" className="button ghost small" onClick={logout}>
              Log out
            </button>
          </div>
        </div>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <PastDueBanner standing={me.data?.workspace.standing} isOwner={me.data?.role === "owner"} />
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <KeyboardHelp />
    </div>
  );
}

/** Everyone sees it while the workspace is past due; owners get the way to the plan page. */
function PastDueBanner({ standing, isOwner }: { standing: Parameters<typeof standingNotice>[0]; isOwner: boolean }) {
  const notice = standingNotice(standing, isOwner);
  if (!notice) return null;
  return (
    <div className="notice warn past-due-banner" role="alert" data-testid="past-due-banner">
      {notice.text} {notice.actionable && <NavLink to="/settings/plan">Billing and plan</NavLink>}
    </div>
  );
}
