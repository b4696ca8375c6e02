import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The SPA is served from the gateway's origin (`make dev`) or CloudFront; during `npm run dev` Vite
// proxies the API and the WebSocket to a local stack on $API_PORT (default 3000).
const apiPort = process.env.API_PORT ?? "3000";

export default defineConfig({
  plugins: [react()],
  build: {
    target: "es2022",
    sourcemap: false,
    // The manifest lets `make bench-web` weigh every chunk of the app.
    manifest: true,
    // Chart code and each route are split out of the initial bundle; warn if the entry grows.
    chunkSizeWarningLimit: 250,
  },
  server: {
    proxy: {
      "/api": `http://127.0.0.1:${apiPort}`,
      "/ws": { target: `ws://127.0.0.1:${apiPort}`, ws: true },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
