import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The web front ends (counter console and online service hall at `/`, the kiosk at `/kiosk`), built into web/dist. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1000,
    // Two entries: the console and hall at `/`, the self-service kiosk at `/kiosk`.
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL("index.html", import.meta.url)),
        kiosk: fileURLToPath(new URL("kiosk.html", import.meta.url)),
      },
    },
  },
  oxc: { jsx: { runtime: "automatic" } },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
