/** The Worker: HTTP (the API and the app's pages, with security headers), the sync, bots and push queues, the bots' turn runners, and the cron. */
import { app } from "./app.ts";
import { BOT_QUEUE_NAME, handleBotBatch } from "./bots/consumer.ts";
import { runCron } from "./cron.ts";
import { withSecurityHeaders } from "./http/security-headers.ts";
import { handlePushBatch, PUSH_QUEUE_NAME } from "./push/consumer.ts";
import { handleSyncBatch } from "./sync/consumer.ts";

/** The bots' turn runners (a Durable Object class; wrangler.toml binds it as BOT_TURNS). */
export { TurnRunner } from "./bots/runner.ts";

export default {
  // The API, and the app's pages (assets served with the security headers and the CSP); hashed
  // /assets/* files are served before the worker runs (wrangler.toml run_worker_first).
  fetch: async (request, env, ctx) => {
    const url = new URL(request.url);
    // Judged on the path as sent, as the API's router reads it: URL parsing would resolve "%2e%2e".
    const api = /^[a-z]+:\/\/[^/]+\/api(?:[/?#]|$)/i.test(request.url);
    const response = api ? await app.fetch(request, env, ctx) : await env.ASSETS.fetch(request);
    return withSecurityHeaders(response, url, env);
  },
  // A batch names its queue (wrangler.toml): the bots' turns, the pushes, or the sync notices.
  queue: (batch, env) =>
    batch.queue === BOT_QUEUE_NAME ? handleBotBatch(batch, env) : batch.queue === PUSH_QUEUE_NAME ? handlePushBatch(batch, env) : handleSyncBatch(batch, env),
  scheduled: (_controller, env) => runCron(env),
} satisfies ExportedHandler<Env, unknown>;
