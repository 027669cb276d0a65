/** The queue consumer: groups notices by space and broadcasts each space's new changes once. */
import type { BeingId } from "../../shared/entities.ts";
import { beingId } from "../../shared/schemas.ts";
import { createDb } from "../db/client.ts";
import { addCounters } from "../db/queries/sync.ts";
import { broadcastSpace, type BroadcastResult } from "./broadcast.ts";
import { livekitConfig, SyncRoomService } from "./livekit.ts";
import type { SyncNotice } from "./notify.ts";

/** Retry delay after the n-th failed attempt: 2, 4, 8 … seconds, at most a minute. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}

/** Logs one line of JSON per broadcast attempt. */
function logBroadcast(result: Partial<BroadcastResult> & { space: BeingId }, startedAt: number, outcome: string, error?: unknown): void {
  const line = { event: "sync_broadcast", ...result, ms: Date.now() - startedAt, outcome, ...(error ? { error: String(error) } : {}) };
  (error ? console.error : console.log)(JSON.stringify(line));
}

/**
 * Handles a batch of SyncNotices: per space, one broadcast of everything pending. Messages of a
 * space that succeeded are acked; those of a space that failed are retried with backoff (after
 * max_retries they go to the dead-letter queue, and the sweeper still delivers their changes).
 */
export async function handleSyncBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const config = livekitConfig(env);
  if (!config) {
    // Live sync is off: nobody can be told. The changes stay in the log for catch-up.
    batch.ackAll();
    return;
  }
  const bySpace = new Map<BeingId, Message<unknown>[]>();
  for (const message of batch.messages) {
    const space = beingId.safeParse((message.body as Partial<SyncNotice> | null)?.space);
    if (!space.success) {
      console.error(JSON.stringify({ event: "sync_notice_malformed", id: message.id }));
      message.ack();
      continue;
    }
    const messages = bySpace.get(space.data);
    if (messages) messages.push(message);
    else bySpace.set(space.data, [message]);
  }

  const db = createDb(env);
  const service = new SyncRoomService(config);
  const totals = { batches: 0, changes: 0, bytes: 0, failures: 0, retries: 0 };
  await Promise.all(
    [...bySpace].map(async ([space, messages]) => {
      const startedAt = Date.now();
      try {
        const result = await broadcastSpace(db, service, space);
        messages.forEach((message) => message.ack());
        totals.batches += result.payloads;
        totals.changes += result.changes;
        totals.bytes += result.bytes;
        logBroadcast(result, startedAt, result.emptyRoom ? "empty_room" : result.payloads ? "sent" : "nothing_pending");
      } catch (error) {
        messages.forEach((message) => message.retry({ delaySeconds: retryDelaySeconds(message.attempts) }));
        totals.failures += 1;
        totals.retries += messages.length;
        logBroadcast({ space }, startedAt, "retry", error);
      }
    }),
  );
  await addCounters(db, totals).catch((error) => console.error(JSON.stringify({ event: "sync_counters_failed", error: String(error) })));
}
