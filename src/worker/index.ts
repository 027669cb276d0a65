/** The Worker: HTTP (the API; static assets are served before it), the sync queue, and the sweeper cron. */
import { app } from "./app.ts";
import { handleSyncBatch } from "./sync/consumer.ts";
import type { SyncNotice } from "./sync/notify.ts";
import { sweep } from "./sync/sweeper.ts";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleSyncBatch(batch, env),
  scheduled: async (_controller, env) => {
    await sweep(env);
  },
} satisfies ExportedHandler<Env, SyncNotice>;
