// The platform console: staff find a workspace by its owner's e-mail, open its page (usage against
// limits, tickets and API calls per day), grant it an extra seat, and read the system health.
import { expect, expectText, test } from "./fixtures";

test("platform staff search a workspace, open its usage page, grant a seat and read system health", async ({ stack, cast, api, newPage, shot }) => {
  // The owner's one API call: a ticket.
  await api.createTicket(await api.signUp(cast.owner), cast);
  const staff = await newPage("staff");
  await staff.goto(`${stack}/platform/login`);
  await staff.getByLabel("E-mail").fill("staff@switchboard.local");
  await staff.getByLabel("Password").fill("demo-staff-password");
  await staff.getByRole("button", { name: "Log in" }).click();
  await staff.waitForURL("**/platform");

  await staff.getByRole("searchbox", { name: "Search workspaces" }).fill(`${cast.owner.email.split("@")[0]}@`);
  await staff.getByRole("button", { name: "Search" }).click();
  const rows = staff.getByRole("table", { name: "Workspaces" }).getByRole("row");
  await expect(rows).toHaveCount(2); // the header and the one match
  await expectText(rows.nth(1), "1 / 3");
  const apiCallsColumn = await staff.getByRole("table", { name: "Workspaces" }).getByRole("columnheader").allTextContents();
  await expect(rows.nth(1).getByRole("cell").nth(apiCallsColumn.indexOf("API calls"))).toHaveText("1");
  await shot(staff, "30-platform-search");

  await staff.getByRole("link", { name: cast.owner.workspace }).click();
  await expect(staff.getByRole("heading", { name: cast.owner.workspace })).toBeVisible();
  await expect(staff.getByRole("img", { name: /tickets created per day/i })).toBeVisible();
  const today = new Date().toISOString().slice(0, 10);
  await expect(staff.getByRole("table", { name: "API calls per day" }).getByRole("row", { name: `${today} 1` })).toBeVisible();
  await staff.getByLabel("Extra seats").fill("2");
  await staff.getByRole("button", { name: "Save extras" }).click();
  await expectText(staff.getByRole("table", { name: "Usage against limits" }), "+2");
  await shot(staff, "31-platform-workspace");

  await staff.getByRole("link", { name: "Health" }).click();
  await expectText(staff.getByRole("table", { name: "Health signals" }), "Dead letters: webhook");
  await expect(staff.getByRole("status")).toContainText("the local stack's counters");
  await shot(staff, "32-platform-health");
});
