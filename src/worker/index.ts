/** The Worker: HTTP (the API; static assets are served before it), the sync and bots queues, and the sweeper cron. */
import { app } from "./app.ts";
import { handleBotBatch } from "./bots/consumer.ts";
import { handleSyncBatch } from "./sync/consumer.ts";
import { sweep } from "./sync/sweeper.ts";

/** The queue each consumer serves (wrangler.toml); a batch names its queue. */
export const BOT_QUEUE_NAME = "spaces-bots";

export default {
  fetch: app.fetch,
  queue: (batch, env) => (batch.queue === BOT_QUEUE_NAME ? handleBotBatch(batch, env) : handleSyncBatch(batch, env)),
  scheduled: async (_controller, env) => {
    await sweep(env);
  },
} satisfies ExportedHandler<Env, unknown>;
