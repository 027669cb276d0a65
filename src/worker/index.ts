/** The Worker: HTTP (the API; static assets are served before it), the sync queue, and the sweeper cron. */
import { app } from "./app.ts";
import { handleSyncBatch } from "./sync/consumer.ts";
import type { SyncNotice } from "./sync/notify.ts";
import { sweepLostBroadcasts } from "./sync/sweeper.ts";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleSyncBatch(batch, env),
  scheduled: async (_controller, env) => {
    await sweepLostBroadcasts(env);
  },
} satisfies ExportedHandler<Env, SyncNotice>;
