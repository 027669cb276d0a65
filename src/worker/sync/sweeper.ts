/**
 * The sweeper (cron, every minute): reconciles room occupancy, re-broadcasts changes whose broadcast
 * was never confirmed, prunes the change log, and samples the pipeline's gauges for the operator page.
 */
import type { BeingId } from "../../shared/entities.ts";
import type { Counters } from "../../shared/responses.ts";
import { createDb, type Db } from "../db/client.ts";
import { forgetDepartedParticipants } from "../db/queries/rooms.ts";
import { lostBroadcasts, pruneChanges, sampleGauges, takeLivekitCall } from "../db/queries/sync.ts";
import { addUp, broadcastSpace, countersOf, deferTurn, logBroadcast, outcomeOf, recordCounters } from "./broadcast.ts";
import { livekitConfig, SyncRoomService } from "./livekit.ts";
import { reconcileOccupancy } from "./occupancy.ts";
import { syncSigner, type Signer } from "./signer.ts";
import { enqueueNotices } from "./notify.ts";
import { botSettings } from "../bots/settings.ts";
import { failureNode } from "../bots/turn.ts";
import { failStaleReplies } from "../db/queries/replies.ts";
import { syncSettings, type SyncSettings } from "./settings.ts";
import { describeError } from "../log.ts";

/** Spaces re-broadcast per run (the rest wait for the next minute), and how many at once. */
const SPACES_PER_RUN = 1000;
const CONCURRENCY = 20;

export interface SweepResult {
  spaces: number;
  changes: number;
  reconciled: { found: number; emptied: number } | null;
  pruned: number;
}

/** One sweeper run; each part is independent, so one failing does not stop the others. */
export async function sweep(env: Env): Promise<SweepResult> {
  const db = createDb(env);
  const settings = syncSettings(env);
  const config = livekitConfig(env);
  const totals: Counters = {};
  const result: SweepResult = { spaces: 0, changes: 0, reconciled: null, pruned: 0 };
  if (config) {
    const service = new SyncRoomService(config);
    const signer = await syncSigner(env);
    result.reconciled = await reconcile(db, service, settings, totals);
    Object.assign(result, await resendLost(env, db, service, signer, settings, totals));
  }
  result.pruned = await pruneChanges(db, settings.retentionSeconds).catch((error) => {
    console.error(JSON.stringify({ event: "sync_prune", outcome: "failed", error: describeError(error) }));
    return 0;
  });
  await Promise.all([
    sampleGauges(db),
    forgetDepartedParticipants(db),
  ]).catch((error) => console.error(JSON.stringify({ event: "sync_sweep_upkeep", outcome: "failed", error: describeError(error) })));
  await failStaleBotReplies(env, db).catch((error) => console.error(JSON.stringify({ event: "bot_stale_replies", outcome: "failed", error: describeError(error) })));
  await recordCounters(db, totals);
  return result;
}

/**
 * A bot's reply that has had no write for well past the stall timeout has lost its turn (the worker
 * died where no retry could follow): it ends failed, its text kept, instead of staying active forever.
 */
async function failStaleBotReplies(env: Env, db: Db): Promise<void> {
  const staleSeconds = botSettings(env).stallSeconds + STALE_REPLY_MARGIN_SECONDS;
  const spaces = await failStaleReplies(db, staleSeconds, failureNode("The reply stopped and could not be finished; ask again."));
  await enqueueNotices(env, spaces);
}

/** Longer than a turn's retries take to resume it (a few seconds each). */
const STALE_REPLY_MARGIN_SECONDS = 60;

/** How long a sweep waits, at most, for the budget to spare its one ListRooms. */
const RECONCILE_PATIENCE_MS = 20_000;

/**
 * Takes a call for the sweep's ListRooms, waiting for the bucket as long as RECONCILE_PATIENCE_MS: it
 * is the only repair for a missed join, so a budget under pressure must not skip it minute after minute.
 */
async function takeReconcileCall(db: Db, settings: SyncSettings): Promise<boolean> {
  const deadline = Date.now() + RECONCILE_PATIENCE_MS;
  for (;;) {
    const wait = await takeLivekitCall(db, settings.budget);
    if (wait === 0) return true;
    if (Date.now() + wait * 1000 > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

/** Aligns occupancy with one ListRooms, once the budget spares the call. */
async function reconcile(db: Db, service: SyncRoomService, settings: SyncSettings, totals: Counters) {
  try {
    if (!(await takeReconcileCall(db, settings))) return null;
    addUp(totals, { calls: 1 });
    const reconciled = await reconcileOccupancy(db, service);
    console.log(JSON.stringify({ event: "sync_reconcile", ...reconciled }));
    return reconciled;
  } catch (error) {
    addUp(totals, { failures: 1 });
    console.error(JSON.stringify({ event: "sync_reconcile", outcome: "failed", error: describeError(error) }));
    return null;
  }
}

/**
 * Finds spaces whose oldest unconfirmed change is older than the grace period (an enqueue, a
 * consumer run or a LiveKit call was lost) and gives each a broadcast turn.
 */
async function resendLost(env: Env, db: Db, service: SyncRoomService, signer: Signer, settings: SyncSettings, totals: Counters) {
  const spaces = await lostBroadcasts(db, settings.graceSeconds, SPACES_PER_RUN);
  let changes = 0;
  const sweepOne = async (space: BeingId) => {
    const startedAt = Date.now();
    try {
      const result = await broadcastSpace(db, service, signer, space, settings.budget);
      if (result.deferSeconds !== null) await deferTurn(env, space, result.deferSeconds);
      addUp(totals, { ...countersOf(result), sweeper_resends: result.changes });
      changes += result.changes;
      logBroadcast("sync_sweep", result, startedAt, outcomeOf(result), result.failure);
    } catch (error) {
      addUp(totals, { failures: 1 });
      logBroadcast("sync_sweep", { space }, startedAt, "failed", error);
    }
  };
  for (let i = 0; i < spaces.length; i += CONCURRENCY) await Promise.all(spaces.slice(i, i + CONCURRENCY).map(sweepOne));
  return { spaces: spaces.length, changes };
}
