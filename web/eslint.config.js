// Lint rules for the web app (`npm run lint`, run by `make test`): TypeScript's recommended rules
// everywhere; in the app, the rules of hooks (with the React Compiler's checks) and TanStack Query's
// rules (query keys that name everything the query reads, stable clients).
import js from "@eslint/js";
import pluginQuery from "@tanstack/eslint-plugin-query";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig([
  { ignores: ["dist/", "node_modules/", "src/api/schema.d.ts"] },
  {
    files: ["**/*.ts", "**/*.tsx"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
  },
  {
    files: ["src/**/*.ts", "src/**/*.tsx"],
    extends: [reactHooks.configs.flat.recommended, pluginQuery.configs["flat/recommended"]],
  },
  {
    // Playwright reads a fixture's dependencies from its first parameter, an empty pattern when it has none.
    files: ["e2e/**/*.ts"],
    rules: { "no-empty-pattern": ["error", { allowObjectPatternsAsParameters: true }] },
  },
]);
