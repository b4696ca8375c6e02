// Where the browser tests keep what they produce, and how long one browser action may take.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ARTIFACTS = join(ROOT, "tests/artifacts/web");
export const STACK_LOG = join(ARTIFACTS, "local-stack.log");
export const TIMEOUT = 15_000;
