// Debian's Chromium (no browser download): headless, with the background networking a closed network
// refuses turned off. The browser tests (playwright.config.ts) and `make bench-web` launch it alike.
import { chromium } from "@playwright/test";
import { existsSync } from "node:fs";

export const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export function requireChromium() {
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: run \`infra/scripts/bootstrap.sh browser\` (installs Debian's chromium)`);
  }
}

export async function launch() {
  requireChromium();
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs });
}
