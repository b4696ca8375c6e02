// Before the browser tests: a clean artifacts folder, and the local stack on a free port (with --seed,
// for the platform staff account, and --clock-control, so a journey can let an SLA target pass), unless
// E2E_URL names one already running. The tests read its URL from E2E_URL; the returned function stops
// it after the last test.
import { mkdirSync, rmSync } from "node:fs";
import { ARTIFACTS, ROOT, STACK_LOG } from "./paths";
import { requireChromium } from "./browser.mjs";
import { startStack } from "./stack.mjs";

const DEMO_OWNER = { email: "owner@demo.switchboard.local", password: "demo-owner-password" };
const SEED_DRAIN_LIMIT_MS = 300_000;

/** Waits until the outbox has worked through the demo seed: the journeys' own events queue behind it, and a
 * report or webhook that follows one within seconds only does so once the seed's backlog is gone. The sign
 * is the demo workspace's daily report counting every ticket its inbox holds. Returns the seconds waited. */
async function seedStoryCounted(url: string): Promise<number> {
  const started = Date.now();
  const login = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(DEMO_OWNER) });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const counts = await get<{ by_status: Record<string, number> }>("/api/v1/tickets/counts");
  const tickets = Object.values(counts.by_status).reduce((sum, n) => sum + n, 0);
  for (;;) {
    const report = await get<{ days: { tickets_created: number }[] }>(`/api/v1/reports/tickets/daily?from=${day(-4)}&to=${day(1)}`);
    const counted = report.days.reduce((sum, d) => sum + d.tickets_created, 0);
    if (counted >= tickets) return Math.round((Date.now() - started) / 1000);
    if (Date.now() - started > SEED_DRAIN_LIMIT_MS) throw new Error(`the outbox counted ${counted} of the demo's ${tickets} tickets in ${SEED_DRAIN_LIMIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export default async function globalSetup() {
  requireChromium();
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const stack = await startStack(ROOT, { logFile: STACK_LOG, clockControl: true });
  process.env.E2E_URL = stack.url;
  console.log(`web e2e: stack at ${stack.url}`);
  const waited = await seedStoryCounted(stack.url);
  console.log(`web e2e: the demo story reached the reports after ${waited} s`);
  return async () => {
    await stack.stop();
  };
}
