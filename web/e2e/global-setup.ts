// Before the browser tests: a clean artifacts folder, and the local stack on a free port (with --seed,
// for the platform staff account, and --clock-control, so a journey can let an SLA target pass), unless
// E2E_URL names one already running. The tests read its URL from E2E_URL; the returned function stops
// it after the last test.
import { mkdirSync, rmSync } from "node:fs";
import { ARTIFACTS, ROOT, STACK_LOG } from "./paths";
import { requireChromium } from "./browser.mjs";
import { startStack } from "./stack.mjs";

export default async function globalSetup() {
  requireChromium();
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const stack = await startStack(ROOT, { logFile: STACK_LOG, clockControl: true });
  process.env.E2E_URL = stack.url;
  console.log(`web e2e: stack at ${stack.url}`);
  return async () => {
    await stack.stop();
  };
}
