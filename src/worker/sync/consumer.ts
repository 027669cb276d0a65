/** The queue consumer: groups notices by space and gives each space one broadcast turn. */
import type { BeingId } from "../../shared/entities.ts";
import type { Counters } from "../../shared/responses.ts";
import { beingId } from "../../shared/schemas.ts";
import { createDb } from "../db/client.ts";
import { forwardToPush } from "../push/consumer.ts";
import { budgetSettings } from "../settings.ts";
import { addUp, broadcastSpace, countersOf, deferTurn, logBroadcast, nextTurnSeconds, outcomeOf, recordCounters } from "./broadcast.ts";
import { livekitConfig, SyncRoomService } from "./livekit.ts";
import type { SyncNotice } from "./notify.ts";
import { noticeNewNotifications } from "./personal-notice.ts";
import { syncSigner } from "./signer.ts";

/** Retry delay after the n-th failed attempt: 2, 4, 8 … seconds, at most a minute. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}

/**
 * Handles a batch of SyncNotices: per space, one broadcast turn. A space the budget deferred gets
 * one fresh notice, delayed by the budget's wait (its messages are acked: waiting is not failing,
 * and must not spend their retries). Messages of a space whose turn failed are retried with backoff
 * (after max_retries they go to the dead-letter queue, and the sweeper still delivers their changes).
 */
export async function handleSyncBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
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
  // Whatever live sync does, the spaces' new notifications go to their devices.
  await forwardToPush(env, [...bySpace.keys()]);
  const config = livekitConfig(env);
  if (!config) {
    // Live sync is off: nobody can be told. The changes stay in the log for catch-up.
    batch.ackAll();
    return;
  }

  const db = createDb(env);
  const service = new SyncRoomService(config);
  const budget = budgetSettings(env);
  const signer = await syncSigner(env);
  const totals: Counters = {};
  await Promise.all([
    noticeNewNotifications(env, db, [...bySpace.keys()]),
    ...[...bySpace].map(async ([space, messages]) => {
      const startedAt = Date.now();
      try {
        const result = await broadcastSpace(db, service, signer, space, budget);
        addUp(totals, countersOf(result));
        logBroadcast("sync_broadcast", result, startedAt, outcomeOf(result), result.failure);
        if (result.failure !== undefined) retry(messages, totals);
        else {
          const later = nextTurnSeconds(result);
          if (later !== null) await deferTurn(env, space, later, messages);
          else messages.forEach((message) => message.ack());
        }
      } catch (error) {
        // The database failed us: nothing was confirmed that was not sent.
        addUp(totals, { failures: 1 });
        retry(messages, totals);
        logBroadcast("sync_broadcast", { space }, startedAt, "retry", error);
      }
    }),
  ]);
  await recordCounters(db, totals);
}

/** Retries a space's messages with backoff. */
function retry(messages: readonly Message<unknown>[], totals: Counters): void {
  messages.forEach((message) => message.retry({ delaySeconds: retryDelaySeconds(message.attempts) }));
  addUp(totals, { retries: messages.length });
}
