// Starts the local stack (target/debug/local-stack on a free port) for the browser tests, or uses
// E2E_URL when a stack is already running. Keeps the stack's output for failure reports, and in
// logFile when given (the browser tests run in other processes and read it there).
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function startStack(root, { logFile, clockControl = false } = {}) {
  if (process.env.E2E_URL) return { url: process.env.E2E_URL.replace(/\/$/, ""), log: () => "(external stack)", stop: async () => {} };
  const binary = join(root, "target/debug/local-stack");
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`cargo build -p local-stack\` first`);
  const dir = mkdtempSync(join(tmpdir(), "switchboard-e2e-"));
  const urlFile = join(dir, "url");
  const lines = [];
  // --seed adds the demo workspace and the platform staff account the console step logs in with;
  // --clock-control lets a journey move the stack's clock forward (an SLA target passing).
  const args = ["--port", "0", "--seed", "--url-file", urlFile, ...(clockControl ? ["--clock-control"] : [])];
  const child = spawn(binary, args, {
    cwd: root,
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk) => {
    if (logFile) appendFileSync(logFile, chunk);
    for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const deadline = Date.now() + 180_000;
  while (!existsSync(urlFile) || !readFileSync(urlFile, "utf8")) {
    if (exited) throw new Error(`the local stack exited (${JSON.stringify(exited)}) before serving:\n${lines.join("\n")}`);
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`the local stack did not start within 180 s:\n${lines.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const url = readFileSync(urlFile, "utf8").trim();
  return {
    url,
    log: () => lines.slice(-60).join("\n"),
    stop: async () => {
      if (!exited) {
        child.kill("SIGTERM");
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, 10_000);
          child.on("exit", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
