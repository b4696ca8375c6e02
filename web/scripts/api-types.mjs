// Generates src/api/schema.d.ts from docs/openapi.json with openapi-typescript, or (--check) fails when
// the committed file differs from what would be generated.
// Several functions reuse short operation ids (`list`, `create`...), which are unique per function but
// not across the API; they are qualified with the operation's tag first, so each path keeps its own types.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const web = fileURLToPath(new URL("..", import.meta.url));
const target = join(web, "src/api/schema.d.ts");
const check = process.argv.includes("--check");

const spec = JSON.parse(readFileSync(join(web, "../docs/openapi.json"), "utf8"));
for (const operations of Object.values(spec.paths)) {
  for (const operation of Object.values(operations)) {
    if (operation && typeof operation === "object" && operation.operationId) {
      operation.operationId = `${operation.tags?.[0] ?? "api"}_${operation.operationId}`;
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), "switchboard-api-types-"));
try {
  const input = join(dir, "openapi.json");
  const output = join(dir, "schema.d.ts");
  writeFileSync(input, JSON.stringify(spec));
  execFileSync(join(web, "node_modules/.bin/openapi-typescript"), [input, "-o", output], { stdio: ["ignore", "ignore", "inherit"] });
  const generated = "// Generated from docs/openapi.json by scripts/api-types.mjs (npm run gen:api). Do not edit.\n" + readFileSync(output, "utf8");
  if (check) {
    let committed = "";
    try {
      committed = readFileSync(target, "utf8");
    } catch {
      // Missing counts as stale.
    }
    if (committed !== generated) {
      console.error("web/src/api/schema.d.ts is stale against docs/openapi.json: run `npm run gen:api` in web/ and commit it.");
      process.exit(1);
    }
    console.log("web: API types match docs/openapi.json");
  } else {
    writeFileSync(target, generated);
    console.log(`web: wrote ${target}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
