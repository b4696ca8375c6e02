// The platform console: every workspace, for staff.
import { Navigate, useNavigate } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import { workspacesQuery } from "../../api/queries/platform";
import { setStaffSession, staffSession } from "../../auth";
import { label, relativeTime } from "../../lib/format";
import { Empty, ErrorState, Loading } from "../../ui/states";

export function Component() {
  const session = staffSession();
  const navigate = useNavigate();
  const workspaces = useInfiniteQuery({ ...workspacesQuery(), enabled: Boolean(session) });
  if (!session) return <Navigate to="/platform/login" replace />;
  const items = workspaces.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="platform">
      <header className="platform-head">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Switchboard platform</span>
        </div>
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
        <h1>Workspaces</h1>
        {workspaces.isPending ? (
          <Loading />
        ) : workspaces.isError ? (
          <ErrorState error={workspaces.error} retry={() => void workspaces.refetch()} />
        ) : items.length === 0 ? (
          <Empty title="No workspaces yet" />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Workspace</th>
                <th scope="col">Plan</th>
                <th scope="col">Seats used</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((workspace) => (
                <tr key={workspace.id}>
                  <td className="strong">{workspace.name}</td>
                  <td>{label(workspace.plan)}</td>
                  <td>{workspace.seats_used}</td>
                  <td className="muted">{relativeTime(workspace.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {workspaces.hasNextPage && (
          <button type="button" className="button" onClick={() => void workspaces.fetchNextPage()}>
            Load more
          </button>
        )}
      </main>
    </div>
  );
}
