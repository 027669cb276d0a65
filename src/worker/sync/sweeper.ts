/** The sweeper (cron): re-broadcasts changes whose broadcast was never confirmed. */
import { createDb } from "../db/client.ts";
import { addCounters, lostBroadcasts } from "../db/queries/sync.ts";
import { broadcastSpace } from "./broadcast.ts";
import { livekitConfig, SyncRoomService } from "./livekit.ts";

/** Spaces re-broadcast per run; the rest wait for the next minute. */
const SPACES_PER_RUN = 100;

/**
 * Finds spaces whose oldest unconfirmed change is older than SYNC_GRACE_SECONDS (an enqueue, a
 * consumer run or a LiveKit call was lost) and broadcasts them directly. Returns what it resent.
 */
export async function sweepLostBroadcasts(env: Env): Promise<{ spaces: number; changes: number }> {
  const config = livekitConfig(env);
  if (!config) return { spaces: 0, changes: 0 };
  const db = createDb(env);
  const service = new SyncRoomService(config);
  const spaces = await lostBroadcasts(db, Number(env.SYNC_GRACE_SECONDS) || 10, SPACES_PER_RUN);
  const totals = { batches: 0, changes: 0, bytes: 0, failures: 0, sweeper_resends: 0 };
  await Promise.all(
    spaces.map(async (space) => {
      try {
        const result = await broadcastSpace(db, service, space);
        totals.batches += result.payloads;
        totals.changes += result.changes;
        totals.bytes += result.bytes;
        totals.sweeper_resends += result.changes;
        console.log(JSON.stringify({ event: "sync_sweep", ...result, outcome: "sent" }));
      } catch (error) {
        totals.failures += 1;
        console.error(JSON.stringify({ event: "sync_sweep", space, outcome: "failed", error: String(error) }));
      }
    }),
  );
  await addCounters(db, totals);
  return { spaces: spaces.length, changes: totals.sweeper_resends };
}
