/** Builds the SolidJS app in src/web into dist/web, which the Worker serves as static assets (SPA fallback), and its service worker. */
import { fileURLToPath } from "node:url";
import solid from "vite-plugin-solid";
import { defineConfig } from "vite";
import { serviceWorker } from "./scripts/service-worker-plugin.ts";

export default defineConfig({
  root: fileURLToPath(new URL("./src/web", import.meta.url)),
  plugins: [solid(), serviceWorker(fileURLToPath(new URL("./src/web/service-worker/sw.ts", import.meta.url)))],
  build: {
    outDir: fileURLToPath(new URL("./dist/web", import.meta.url)),
    emptyOutDir: true,
    // livekit-client is one ~570 kB chunk, loaded after the first paint (src/web/sync/room.ts);
    // anything bigger than that should still be noticed.
    chunkSizeWarningLimit: 600,
    // The polyfill makes <link rel="modulepreload"> work where browsers lack it; the app's entry has
    // no static chunk imports, so it emits no such links and the polyfill only weighs on the start chunk.
    modulePreload: { polyfill: false },
  },
});
