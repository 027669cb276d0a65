/** The producer: after a write commits, tell the sync queue which spaces' change logs grew. */
import type { Context } from "hono";
import type { BeingId } from "../../shared/entities.ts";
import type { AppEnv } from "../env.ts";
import { describeError } from "../log.ts";

/**
 * A queue message names a space, not a change: the consumer reads the log itself, so a message is
 * tiny, any number of messages for one space collapse into one read, a duplicate or reordered
 * message is harmless, and the sweeper recovers a lost one through the same code path.
 */
export interface SyncNotice {
  space: BeingId;
}

/** Cloudflare Queues take at most 100 messages per sendBatch. */
const MAX_BATCH = 100;

/**
 * Enqueues one notice per space (after `delaySeconds`, if given); a failure is logged, never thrown:
 * the write is committed and the sweeper will find it.
 */
export async function enqueueNotices(env: Pick<Env, "SYNC_QUEUE">, spaces: readonly BeingId[], delaySeconds?: number): Promise<boolean> {
  if (spaces.length === 0) return true;
  try {
    for (let i = 0; i < spaces.length; i += MAX_BATCH) {
      const messages = spaces.slice(i, i + MAX_BATCH).map((space) => ({ body: { space } satisfies SyncNotice, contentType: "json" as const }));
      await env.SYNC_QUEUE.sendBatch(messages, delaySeconds ? { delaySeconds } : undefined);
    }
    return true;
  } catch (error) {
    console.error(JSON.stringify({ level: "warn", event: "enqueue_failed", spaces, error: describeError(error) }));
    return false;
  }
}

/**
 * Hands the notices to the runtime after the response (the write's latency does not wait on the queue),
 * delayed by `delaySeconds` when given (a relayed write's grace).
 */
export function notifyAfterCommit(c: Context<AppEnv>, spaces: readonly BeingId[], delaySeconds?: number): void {
  if (spaces.length > 0) c.executionCtx.waitUntil(enqueueNotices(c.env, spaces, delaySeconds));
}
