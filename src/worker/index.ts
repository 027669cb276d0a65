/** The Worker: HTTP (the API; static assets are served before it), the sync and bots queues, and the sweeper cron. */
import { app } from "./app.ts";
import { BOT_QUEUE_NAME, handleBotBatch } from "./bots/consumer.ts";
import { handleSyncBatch } from "./sync/consumer.ts";
import { sweep } from "./sync/sweeper.ts";

export default {
  fetch: app.fetch,
  // A batch names its queue (wrangler.toml): the bots' turns, or the sync notices.
  queue: (batch, env) => (batch.queue === BOT_QUEUE_NAME ? handleBotBatch(batch, env) : handleSyncBatch(batch, env)),
  scheduled: async (_controller, env) => {
    await sweep(env);
  },
} satisfies ExportedHandler<Env, unknown>;
