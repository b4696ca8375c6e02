// The browser end-to-end tests (`npm run e2e`, run by `make test-web`): one test per user journey in
// e2e/*.spec.ts, against the local stack that e2e/global-setup.ts starts (or E2E_URL), in Debian's
// headless Chromium. Screenshots of the main screens, and traces and screenshots of failed tests, go to
// tests/artifacts/web/.
import { defineConfig } from "@playwright/test";
import { chromiumArgs, executablePath } from "./e2e/browser.mjs";
import { ARTIFACTS, TIMEOUT } from "./e2e/paths";

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  outputDir: `${ARTIFACTS}/failures`,
  // Journeys are independent (each has its own workspace), but the machine is shared: one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 180_000,
  expect: { timeout: TIMEOUT },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    launchOptions: { executablePath, args: chromiumArgs },
    viewport: { width: 1360, height: 860 },
    actionTimeout: TIMEOUT,
    navigationTimeout: TIMEOUT,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "desktop", use: { viewport: { width: 1360, height: 860 } } },
    // The main journeys again on a phone; the other journeys run at desktop size only.
    { name: "phone", testMatch: /day\.spec\.ts$/, use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ],
});
