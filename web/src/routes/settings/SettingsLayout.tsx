// Settings: each section shows what the role may do; the rest answers with a 403 screen.
import { NavLink, Outlet } from "react-router";
import { useMe } from "../../api/queries/members";

const SECTIONS = [
  { to: "members", name: "Members & roles", permission: "users:read" },
  { to: "categories", name: "Categories", permission: "tickets:read" },
  { to: "email", name: "E-mail", permission: "settings:manage" },
  { to: "sla", name: "SLA & business hours", permission: "tickets:read" },
  { to: "pipelines", name: "Pipelines", permission: "sales:read" },
  { to: "plan", name: "Plan & usage", permission: "tickets:read" },
  { to: "api-keys", name: "API keys", permission: "integrations:manage" },
  { to: "webhooks", name: "Webhooks & Slack", permission: "webhooks:manage" },
  { to: "lead-capture", name: "Lead capture", permission: "integrations:manage" },
  { to: "google-contacts", name: "Google Contacts", permission: "customers:write" },
] as const;

export function Component() {
  const me = useMe();
  return (
    <div className="page settings">
      <h1>Settings</h1>
      <div className="settings-grid">
        <nav aria-label="Settings sections" className="subnav">
          <ul>
            {SECTIONS.map((section) => {
              const allowed = me.data?.permissions.includes(section.permission as never) ?? true;
              return (
                <li key={section.to}>
                  <NavLink to={section.to} className={allowed ? "" : "locked"}>
                    {section.name}
                    {!allowed && <span className="sr-only"> (not available to your role)</span>}
                    {!allowed && (
                      <svg aria-hidden="true" className="lock" width="12" height="12" viewBox="0 0 16 16">
                        <path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" />
                      </svg>
                    )}
                  </NavLink>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="settings-body">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
