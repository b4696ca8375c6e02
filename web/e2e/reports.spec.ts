// The support reports journey: a manager reads the day's figures, narrows the range, compares with the
// period before, breaks the figures down per agent and reads the leaderboard, which they sort.
import { eventually, expect, expectText, logIn, test, type Session } from "./fixtures";

test("reports: a range, the comparison, a breakdown per agent and the leaderboard", async ({ stack, cast, api, newPage, shot }) => {
  const { owner, ticket } = await api.workspaceWithTicket(cast);
  const agent = await api.request<{ id: string }>("POST", "/api/v1/users", owner.access_token, {
    name: cast.agent.name,
    email: cast.agent.email,
    role: "agent",
    password: cast.agent.password,
  });
  // The agent takes the ticket, answers and solves it.
  await api.request("PATCH", `/api/v1/tickets/${ticket.id}`, owner.access_token, { version: ticket.version, assignee_id: agent.id });
  const brook = await api.request<Session>("POST", "/api/v1/auth/login", null, { email: cast.agent.email, password: cast.agent.password });
  await api.addMessage(brook, ticket.id, "A fix is on its way.", false);
  const current = await api.request<{ ticket: { version: number } }>("GET", `/api/v1/tickets/${ticket.id}`, brook.access_token);
  await api.request("PATCH", `/api/v1/tickets/${ticket.id}`, brook.access_token, { version: current.ticket.version, status: "solved" });

  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/reports`);
  await a.getByRole("heading", { name: "Reports", level: 1 }).waitFor();
  const stat = (label: string) => a.locator(".stat").filter({ hasText: label });
  // Counters follow the event log within seconds: reload until the solve is counted.
  await eventually(a, stat("Tickets solved").locator(".stat-value", { hasText: /^1$/ }), "the solved ticket in the report");
  await expectText(stat("Tickets created").locator(".stat-value"), /^1$/);
  await a.locator(".chart canvas").waitFor();

  // The last 7 days: kept in the address bar, and compared with the 7 days before (nothing then).
  await a.getByRole("radio", { name: "7 days" }).click();
  await a.waitForURL(/days=7/);
  await expect(a.getByRole("radio", { name: "7 days" })).toHaveAttribute("aria-checked", "true");
  await expectText(stat("Tickets created").locator(".stat-value"), /^1$/);
  await expectText(stat("Tickets created").locator(".stat-change"), "new vs before");
  // A range before the ticket holds nothing: the empty state, not zeros in a chart.
  const weekAgo = new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10);
  const twoWeeksAgo = new Date(Date.now() - 14 * 86_400_000).toISOString().slice(0, 10);
  await a.getByLabel("From", { exact: true }).fill(twoWeeksAgo);
  await a.getByLabel("to", { exact: true }).fill(weekAgo);
  await a.getByRole("button", { name: "Show" }).click();
  await a.waitForURL(new RegExp(`from=${twoWeeksAgo}`));
  await a.getByText("Nothing happened in this range yet").waitFor();
  // A reversed range is refused before it is asked for.
  await a.getByLabel("From", { exact: true }).fill(weekAgo);
  await a.getByLabel("to", { exact: true }).fill(twoWeeksAgo);
  await a.getByRole("alert").filter({ hasText: "The first day must not be after the last" }).waitFor();
  await a.getByRole("radio", { name: "30 days" }).click();

  // Per agent: the agent's row holds the solve.
  await a.getByLabel("Breakdown").selectOption("agent");
  await a.waitForURL(/breakdown=agent/);
  const byAgent = a.locator("section").filter({ has: a.getByRole("heading", { name: "By agent", exact: true }) });
  const brookRow = byAgent.getByRole("row").filter({ hasText: cast.agent.name });
  await brookRow.waitFor();
  await expect(brookRow.getByRole("cell").nth(1)).toHaveText("1");

  // The leaderboard: everyone who works tickets, the agent first by solved; sortable by a column.
  const board = a.locator("section").filter({ has: a.getByRole("heading", { name: "Agents", exact: true }) });
  await expect(board.getByRole("row").nth(1)).toContainText(cast.agent.name);
  await expect(board.getByRole("row").filter({ hasText: cast.owner.name })).toHaveCount(1);
  await board.getByRole("button", { name: "Online" }).click();
  await expect(board.getByRole("columnheader", { name: "Online" })).toHaveAttribute("aria-sort", "descending");
  await shot(a, "09b-reports-breakdown-leaderboard");
});
