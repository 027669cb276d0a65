/** The Worker: HTTP (the API and the app's pages, with security headers), the sync queue, and the sweeper cron. */
import { app } from "./app.ts";
import { withSecurityHeaders } from "./http/security-headers.ts";
import { handleSyncBatch } from "./sync/consumer.ts";
import type { SyncNotice } from "./sync/notify.ts";
import { sweep } from "./sync/sweeper.ts";

export default {
  // The API, and the app's pages (assets served with the security headers and the CSP); hashed
  // /assets/* files are served before the worker runs (wrangler.toml run_worker_first).
  fetch: async (request, env, ctx) => {
    const url = new URL(request.url);
    const api = url.pathname === "/api" || url.pathname.startsWith("/api/");
    const response = api ? await app.fetch(request, env, ctx) : await env.ASSETS.fetch(request);
    return withSecurityHeaders(response, url, env);
  },
  queue: (batch, env) => handleSyncBatch(batch, env),
  scheduled: async (_controller, env) => {
    await sweep(env);
  },
} satisfies ExportedHandler<Env, SyncNotice>;
