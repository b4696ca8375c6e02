// Signing up, a silent token refresh, logging out, and the platform console.
import { expect, expectText, logIn, test } from "./fixtures";

test("sign up: a short password refused in plain words, then a workspace and its empty inbox", async ({ stack, cast, newPage, shot }) => {
  const a = await newPage("owner");
  await a.goto(`${stack}/signup`);
  await a.getByLabel("Workspace name").fill(cast.owner.workspace);
  await a.getByLabel("Your name").fill(cast.owner.name);
  await a.getByLabel("Work e-mail").fill(cast.owner.email);
  await a.getByLabel("Password").fill("short");
  await a.getByRole("button", { name: "Create workspace" }).click();
  // The server's field rule, in plain words, next to the field.
  await expectText(a.locator(".field-error"), "at least 10 characters");
  await a.getByLabel("Password").fill(cast.owner.password);
  await a.getByRole("button", { name: "Create workspace" }).click();
  await a.waitForURL("**/inbox");
  await expectText(a.getByTestId("workspace-name"), cast.owner.workspace);
  await a.getByRole("heading", { name: "No tickets here" }).waitFor();
  await shot(a, "01-inbox-empty");
});

test("an expired access token is refreshed silently from an HttpOnly cookie, rotating it", async ({ stack, cast, api, newPage }) => {
  await api.workspaceWithTicket(cast);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  // The refresh token is in no storage script can read: only in an HttpOnly cookie for /api/v1/auth.
  const stored = await a.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie);
  if (/refresh/i.test(stored)) throw new Error(`the refresh token is within script's reach: ${stored}`);
  const cookieBefore = (await a.context().cookies(`${stack}/api/v1/auth/refresh`)).find((c) => c.name === "switchboard_refresh");
  if (!cookieBefore?.httpOnly || cookieBefore.sameSite !== "Strict") throw new Error(`no HttpOnly, SameSite=Strict refresh cookie: ${JSON.stringify(cookieBefore)}`);
  await a.evaluate(() => {
    const session = JSON.parse(localStorage.getItem("switchboard.session") ?? "null");
    localStorage.setItem("switchboard.session", JSON.stringify({ ...session, accessToken: "expired", expiresAt: Date.now() - 1000 }));
  });
  await a.goto(`${stack}/inbox`);
  await expectText(a.getByTestId("ticket-list"), cast.subject);
  const after = await a.evaluate(() => JSON.parse(localStorage.getItem("switchboard.session") ?? "null"));
  const cookieAfter = (await a.context().cookies(`${stack}/api/v1/auth/refresh`)).find((c) => c.name === "switchboard_refresh");
  if (after.accessToken === "expired" || !cookieAfter || cookieAfter.value === cookieBefore.value) throw new Error("the session was not refreshed");
});

test("log out ends the session", async ({ stack, cast, api, newPage, shot }) => {
  await api.signUp(cast.owner);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.getByRole("button", { name: "Log out" }).click();
  await a.waitForURL("**/login");
  const cookie = (await a.context().cookies(`${stack}/api/v1/auth/refresh`)).find((c) => c.name === "switchboard_refresh");
  if (cookie) throw new Error("the refresh cookie outlived the logout");
  await a.goto(`${stack}/inbox`);
  await a.waitForURL("**/login**");
  await shot(a, "16-login");
});

test("platform staff see every workspace in the console and move one to another plan", async ({ stack, cast, api, newPage, shot }) => {
  const owner = await api.signUp(cast.owner);
  const staff = await newPage("staff");
  await staff.goto(`${stack}/platform/login`);
  // The stack runs with --seed, which makes this staff account.
  await staff.getByLabel("E-mail").fill("staff@switchboard.local");
  await staff.getByLabel("Password").fill("demo-staff-password");
  await staff.getByRole("button", { name: "Log in" }).click();
  await staff.waitForURL("**/platform");
  await expectText(staff.locator("table").first(), cast.owner.workspace);
  await expectText(staff.getByRole("table", { name: "Plans" }), "Enterprise");
  await shot(staff, "17-platform-console");

  // Moving the workspace to another plan applies at once and lands in the audit log.
  const picker = staff.getByLabel(`Plan of ${cast.owner.workspace}`);
  await expect(picker).toHaveValue("free");
  await picker.selectOption("growth");
  await expect(picker).toHaveValue("growth");
  await expectText(staff.getByRole("table", { name: "Audit log" }), "free → growth");
  const me = await api.request<{ plan: { tier: string } }>("GET", "/api/v1/me", owner.access_token);
  expect(me.plan.tier).toBe("growth");
});
