// A member connects their Google account (through the local Google stand-in's consent page, which
// consents at once and sends the browser back to our callback), imports their contacts, finds them among
// the customers, and disconnects, which revokes the grant at Google and keeps the customers.
import { expectText, logIn, test } from "./fixtures";

// The account the stand-in consents for when no login hint is given (infra/src/google.rs).
const DEMO_ACCOUNT = "demo.contacts@gmail.example";

test("Google Contacts: connect through consent, import, see the customers, disconnect", async ({ stack, cast, api, newPage, shot }) => {
  const google = (path: string) => `${stack}/__local/google/control/accounts/${DEMO_ACCOUNT}${path}`;
  const contact = { name: `Hedy Lamarr ${cast.run}`, email: `hedy-${cast.run}@example.com`, company: "Frequency Hopping" };
  const seeded = await fetch(google(`/contacts/e2e-${cast.run}`), {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(contact),
  });
  if (!seeded.ok) throw new Error(`seeding the Google contact answered ${seeded.status}`);

  await api.signUp(cast.owner);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/settings/google-contacts`);
  await a.getByLabel("Contacts land as").selectOption("customers");
  await a.getByRole("button", { name: "Connect Google" }).click();
  // Google's consent, then back on our callback page, then the connection.
  await a.waitForURL(/\/settings\/google-contacts$/);
  await expectText(a.locator("p"), "read only");

  await a.getByRole("button", { name: "Sync now" }).click();
  const status = a.getByLabel("Sync status");
  await expectText(status, /[1-9]\d* imported/);
  await shot(a, "10e-settings-google-contacts");

  await a.goto(`${stack}/customers`);
  await expectText(a.locator("body"), contact.name);

  await a.goto(`${stack}/settings/google-contacts`);
  a.once("dialog", (dialog) => void dialog.accept());
  await a.getByRole("button", { name: "Disconnect" }).click();
  await a.getByRole("button", { name: "Connect Google" }).waitFor();
  const state = (await (await fetch(google(""))).json()) as { grants: { revoked: boolean }[] };
  if (state.grants.length === 0 || !state.grants.every((grant) => grant.revoked)) {
    throw new Error(`the grant was not revoked at Google: ${JSON.stringify(state.grants)}`);
  }
  await a.goto(`${stack}/customers`);
  await expectText(a.locator("body"), contact.name);
});
