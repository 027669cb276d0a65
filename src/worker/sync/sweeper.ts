/**
 * The sync sweep (src/worker/cron.ts runs it every minute): reconciles room occupancy, re-broadcasts
 * changes whose broadcast was never confirmed, prunes the change log, samples the pipeline's gauges
 * for the operator page and forgets receivers' health reports and publishing revocations older than a day.
 */
import type { BeingId } from "../../shared/entities.ts";
import type { Counters } from "../../shared/responses.ts";
import { createDb, type Db } from "../db/client.ts";
import { forgetHealthMinutes } from "../db/queries/health.ts";
import { forgetRevocations } from "../db/queries/publishing.ts";
import { forgetDepartedParticipants } from "../db/queries/rooms.ts";
import { lostBroadcasts, pruneChanges, sampleGauges } from "../db/queries/sync.ts";
import { describeError } from "../log.ts";
import { budgetSettings, syncSettings, type Budget, type SyncSettings } from "../settings.ts";
import { addUp, broadcastSpace, countersOf, deferTurn, logBroadcast, nextTurnSeconds, outcomeOf, recordCounters } from "./broadcast.ts";
import { waitForLivekitCall } from "./budget.ts";
import { livekitConfig, SyncRoomService } from "./livekit.ts";
import { reconcileOccupancy } from "./occupancy.ts";
import { syncSigner, type Signer } from "./signer.ts";

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
  const budget = budgetSettings(env);
  const config = livekitConfig(env);
  const totals: Counters = {};
  const result: SweepResult = { spaces: 0, changes: 0, reconciled: null, pruned: 0 };
  if (config) {
    const service = new SyncRoomService(config);
    const signer = await syncSigner(env);
    result.reconciled = await reconcile(db, service, budget, totals);
    Object.assign(result, await resendLost(env, db, service, signer, settings, budget, totals));
  }
  result.pruned = await pruneChanges(db, settings.retentionSeconds).catch((error) => {
    console.error(JSON.stringify({ event: "sync_prune", outcome: "failed", error: describeError(error) }));
    return 0;
  });
  await Promise.all([
    sampleGauges(db),
    forgetDepartedParticipants(db),
    forgetHealthMinutes(db),
    forgetRevocations(db),
  ]).catch((error) => console.error(JSON.stringify({ event: "sync_sweep_upkeep", outcome: "failed", error: describeError(error) })));
  await recordCounters(db, totals);
  return result;
}

/**
 * How long a sweep waits, at most, for the budget to spare its one ListRooms: it is the only repair
 * for a missed join, so a budget under pressure must not skip it minute after minute.
 */
const RECONCILE_PATIENCE_MS = 20_000;

/** Aligns occupancy with one ListRooms, once the budget spares the call. */
async function reconcile(db: Db, service: SyncRoomService, budget: Budget, totals: Counters) {
  try {
    if (!(await waitForLivekitCall(db, budget, RECONCILE_PATIENCE_MS))) return null;
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
async function resendLost(env: Env, db: Db, service: SyncRoomService, signer: Signer, settings: SyncSettings, budget: Budget, totals: Counters) {
  const spaces = await lostBroadcasts(db, settings.graceSeconds, SPACES_PER_RUN);
  let changes = 0;
  const sweepOne = async (space: BeingId) => {
    const startedAt = Date.now();
    try {
      const result = await broadcastSpace(db, service, signer, space, budget);
      const later = nextTurnSeconds(result);
      if (later !== null) await deferTurn(env, space, later);
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
