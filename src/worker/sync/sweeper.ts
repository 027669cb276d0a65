/** The sweeper (cron): re-broadcasts changes whose broadcast was never confirmed. */
import type { BeingId } from "../../shared/entities.ts";
import { createDb } from "../db/client.ts";
import { addCounters, lostBroadcasts } from "../db/queries/sync.ts";
import { broadcastSpace } from "./broadcast.ts";
import { livekitConfig, SyncRoomService } from "./livekit.ts";

/** Spaces re-broadcast per run (the rest wait for the next minute), and how many at once. */
const SPACES_PER_RUN = 1000;
const CONCURRENCY = 20;

/**
 * Finds spaces whose oldest unconfirmed change is older than SYNC_GRACE_SECONDS (an enqueue, a
 * consumer run or a LiveKit call was lost) and broadcasts them directly. Returns what it resent.
 */
export async function sweepLostBroadcasts(env: Env): Promise<{ spaces: number; changes: number }> {
  const config = livekitConfig(env);
  if (!config) return { spaces: 0, changes: 0 };
  const db = createDb(env);
  const service = new SyncRoomService(config);
  const grace = Number.parseFloat(env.SYNC_GRACE_SECONDS);
  const spaces = await lostBroadcasts(db, Number.isFinite(grace) ? grace : 10, SPACES_PER_RUN);
  const totals = { batches: 0, changes: 0, bytes: 0, failures: 0, sweeper_resends: 0 };
  const sweepOne = async (space: BeingId) => {
    try {
      const result = await broadcastSpace(db, service, space);
      totals.batches += result.payloads;
      totals.changes += result.changes;
      totals.bytes += result.bytes;
      totals.sweeper_resends += result.changes;
      console.log(JSON.stringify({ event: "sync_sweep", ...result, outcome: result.emptyRoom ? "empty_room" : "sent" }));
    } catch (error) {
      totals.failures += 1;
      console.error(JSON.stringify({ event: "sync_sweep", space, outcome: "failed", error: String(error) }));
    }
  };
  for (let i = 0; i < spaces.length; i += CONCURRENCY) await Promise.all(spaces.slice(i, i + CONCURRENCY).map(sweepOne));
  await addCounters(db, totals);
  return { spaces: spaces.length, changes: totals.sweeper_resends };
}
