// make bench-web: how heavy the web app is and how fast the inbox becomes usable, against a local stack.
//
// - Initial load: the JS and CSS a cold visit to /inbox downloads (as the browser requested them), in
//   bytes raw and gzip-compressed (level 9, as a CDN would serve them), next to the entry alone
//   (what index.html names).
// - Time to interactive of the inbox: from navigation start to the moment the inbox shows its tickets
//   (50, of a workspace with 50) and the main thread is idle (the first idle callback after they are
//   rendered). Each run is a cold load in a new browser context (empty cache), with a signed-in session.
//   Measured as is and with the CPU slowed down 4x (a modest laptop or phone).
// Writes bench/results/web.md and web.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { launch } from "../e2e/browser.mjs";
import { startStack } from "../e2e/stack.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dist = join(root, "web/dist");
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 7);
const TICKETS = 50;

const gz = (buffer) => gzipSync(buffer, { level: 9 }).length;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function assetBytes(paths) {
  let raw = 0;
  let gzip = 0;
  const files = [];
  for (const path of paths) {
    const content = readFileSync(join(dist, path));
    raw += content.length;
    gzip += gz(content);
    files.push({ path, raw: content.length, gzip: gz(content) });
  }
  return { raw, gzip, files };
}

function entryAssets() {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  return [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]);
}

async function api(url, path, body, token) {
  const response = await fetch(`${url}${path}`, {
    method: body ? "POST" : "GET",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function measure(browser, url, session, slowdown) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  await context.addInitScript((stored) => localStorage.setItem("switchboard.session", stored), JSON.stringify(session));
  const page = await context.newPage();
  if (slowdown > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: slowdown });
  }
  const requested = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (/^\/assets\/.+\.(js|css)$/.test(path)) requested.push(path.slice(1));
  });
  await page.goto(`${url}/inbox`, { waitUntil: "commit" });
  await page.locator('[data-testid="ticket-list"] > li').nth(TICKETS - 1).waitFor({ timeout: 60_000 });
  const timing = await page.evaluate(
    () =>
      new Promise((resolve) =>
        requestIdleCallback(() => {
          const paint = performance.getEntriesByName("first-contentful-paint")[0];
          resolve({ interactive: performance.now(), fcp: paint ? paint.startTime : null });
        }),
      ),
  );
  await context.close();
  return { ...timing, requested: [...new Set(requested)] };
}

const stack = await startStack(root);
let browser;
try {
  const run = Date.now().toString(36);
  const session = await api(stack.url, "/api/v1/auth/signup", {
    workspace_name: `Bench ${run}`,
    name: "Bench Owner",
    email: `bench-${run}@example.com`,
    password: "bench-password-123",
  });
  for (let i = 0; i < TICKETS; i++) {
    await api(
      stack.url,
      "/api/v1/tickets",
      { subject: `Bench ticket ${i}`, body: "Load test", priority: ["low", "normal", "high", "urgent"][i % 4], tags: ["bench"], customer: { email: `c${i % 10}-${run}@example.org` } },
      session.access_token,
    );
  }
  const stored = {
    accessToken: session.access_token,
    refreshToken: session.refresh_token,
    expiresAt: Date.now() + session.expires_in * 1000,
    user: session.user,
    workspace: session.workspace,
  };
  browser = await launch();
  await measure(browser, stack.url, stored, 1); // warm the stack's own caches once
  const results = {};
  let requested = [];
  for (const slowdown of [1, 4]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const one = await measure(browser, stack.url, stored, slowdown);
      runs.push(one);
      requested = one.requested;
    }
    results[slowdown] = {
      tti_ms: runs.map((r) => Math.round(r.interactive)),
      fcp_ms: runs.map((r) => (r.fcp === null ? null : Math.round(r.fcp))),
      tti_median_ms: Math.round(median(runs.map((r) => r.interactive))),
      fcp_median_ms: Math.round(median(runs.map((r) => r.fcp ?? 0))),
    };
  }
  const inbox = assetBytes(requested);
  const entry = assetBytes(entryAssets());
  const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
  const all = assetBytes([...new Set(Object.values(manifest).flatMap((chunk) => [chunk.file, ...(chunk.css ?? [])]))]);
  const report = {
    command: "make bench-web",
    date: new Date().toISOString(),
    runs: RUNS,
    tickets_in_inbox: TICKETS,
    initial_load_inbox: { js_css_raw_bytes: inbox.raw, js_css_gzip_bytes: inbox.gzip, files: inbox.files },
    entry_only: { js_css_raw_bytes: entry.raw, js_css_gzip_bytes: entry.gzip },
    whole_app: { js_css_raw_bytes: all.raw, js_css_gzip_bytes: all.gzip },
    inbox_time_to_interactive: { cpu_1x: results[1], cpu_4x_slower: results[4] },
  };
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const md = `# Web app: initial load and inbox time to interactive

\`${report.command}\`, ${report.date}, ${RUNS} cold loads per setting, headless Chromium against the local stack
(2-core machine shared with other work; times move with its load).

| initial load | JS + CSS raw | JS + CSS gzip |
|---|---|---|
| /inbox, everything requested on a cold visit (${inbox.files.length} files) | ${kb(inbox.raw)} | **${kb(inbox.gzip)}** |
| entry only (what index.html names) | ${kb(entry.raw)} | ${kb(entry.gzip)} |
| the whole app, every route | ${kb(all.raw)} | ${kb(all.gzip)} |

| inbox, ${TICKETS} tickets | time to interactive (median) | first contentful paint (median) | all runs (TTI, ms) |
|---|---|---|---|
| CPU as is | **${results[1].tti_median_ms} ms** | ${results[1].fcp_median_ms} ms | ${results[1].tti_ms.join(", ")} |
| CPU 4x slower | **${results[4].tti_median_ms} ms** | ${results[4].fcp_median_ms} ms | ${results[4].tti_ms.join(", ")} |

Time to interactive: navigation start until the inbox lists its tickets and the main thread is idle (first
idle callback after they render); it includes the API calls (session, counts, inbox page) to the local stack.

Files of the initial load:

| file | raw | gzip |
|---|---|---|
${inbox.files.map((f) => `| ${f.path} | ${f.raw} | ${f.gzip} |`).join("\n")}
`;
  const out = join(root, "bench/results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "web.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(join(out, "web.md"), md);
  console.log(md);
} finally {
  await browser?.close().catch(() => {});
  await stack.stop();
}
