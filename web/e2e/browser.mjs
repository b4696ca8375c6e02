// Debian's Chromium driven by playwright-core (no browser download): headless, with the background
// networking a closed network refuses turned off.
import { chromium } from "playwright-core";
import { existsSync } from "node:fs";

export async function launch() {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: run \`infra/scripts/bootstrap.sh browser\` (installs Debian's chromium)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}
