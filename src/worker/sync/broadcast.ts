/** One broadcast turn of a space: shared by the queue consumer and the sweeper. */
import type { BeingId } from "../../shared/entities.ts";
import type { Counters } from "../../shared/responses.ts";
import type { Change } from "../../shared/sync.ts";
import type { Db } from "../db/client.ts";
import { addCounters, claimBroadcast, confirmBroadcast, confirmEmptyRoom, type PendingChange } from "../db/queries/sync.ts";
import { describeError } from "../log.ts";
import type { Budget } from "../settings.ts";
import { blockOnRateLimit, takeLivekitCallSql } from "./budget.ts";
import { enqueueNotices } from "./notify.ts";
import { sendSyncPacket, type SyncRoomService } from "./livekit.ts";
import { packChanges } from "./pack.ts";
import type { Signer } from "./signer.ts";

/** Changes read from the log per claim; a space that fell further behind takes several calls. */
const PAGE_SIZE = 500;

export interface BroadcastResult {
  space: BeingId;
  /** The seq range sent, or null when nothing was sent. */
  from: number | null;
  to: number | null;
  payloads: number;
  changes: number;
  bytes: number;
  /** Nobody was in the room: the changes were confirmed without a LiveKit call. */
  emptyRoom: boolean;
  /** Changes confirmed without a send: their writers published them (relayed). */
  relayed: number;
  /** The budget (or LiveKit's 429) asked this space to wait this many seconds; what is pending stays pending. */
  deferSeconds: number | null;
  /** What is left waits for its writers' relay this many seconds more: the space's next turn comes then. */
  heldSeconds: number | null;
  /** LiveKit answered 429. */
  rateLimited: boolean;
  /** The send that failed (not a 429): the turn must be retried; what was accepted before it is confirmed. */
  failure: unknown;
}

/** First 16 bytes of the payload's SHA-256: the same payload always carries the same nonce. */
async function nonceOf(payload: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(payload))).slice(0, 16);
}

const encoder = new TextEncoder();

/**
 * Sends what the space has unconfirmed, one LiveKit call per claim from the budget, and confirms each
 * payload LiveKit accepted. An empty room is confirmed without a call. When the budget says wait, the
 * turn ends with `deferSeconds` and the changes keep coalescing until the next turn. A failed send
 * ends it with `failure`, the accepted prefix confirmed; a database error is thrown.
 */
export async function broadcastSpace(db: Db, service: SyncRoomService, signer: Signer, space: BeingId, budget: Budget): Promise<BroadcastResult> {
  const result: BroadcastResult = {
    space, from: null, to: null, payloads: 0, changes: 0, bytes: 0, emptyRoom: false, relayed: 0, deferSeconds: null, heldSeconds: null,
    rateLimited: false, failure: undefined,
  };
  for (;;) {
    const claim = await claimBroadcast(db, space, PAGE_SIZE, takeLivekitCallSql(budget, space));
    if (claim.changes.length === 0) {
      // Unconfirmed seqs with no row left (pruned after a rewind): nothing to send, so confirm them.
      if (claim.lastSeq > claim.broadcastSeq) await confirmBroadcast(db, space, claim.lastSeq);
      return result;
    }
    if (!claim.occupied) {
      // Nobody to tell: a later joiner loads a snapshot that holds these changes. If someone
      // arrived since the claim, the confirmation is refused and the next claim sends.
      if (await confirmEmptyRoom(db, space, claim.lastSeq)) {
        result.emptyRoom = true;
        return result;
      }
      continue;
    }
    const turn = planTurn(claim.changes);
    if (turn.skipTo !== null) {
      await confirmBroadcast(db, space, turn.skipTo);
      result.relayed += turn.skipped;
    }
    if (turn.send.length === 0) {
      if (turn.heldSeconds === null) continue;
      result.heldSeconds = turn.heldSeconds;
      return result;
    }
    if (claim.waitSeconds > 0) {
      result.deferSeconds = claim.waitSeconds;
      return result;
    }
    // One payload per call taken; the next claim takes another call for the rest.
    const { batch, payload } = packChanges(space, turn.send)[0]!;
    const packet = encoder.encode(JSON.stringify(await signer.sign(payload)));
    try {
      await sendSyncPacket(service, space, packet, await nonceOf(payload));
    } catch (error) {
      const retryAfterSeconds = await blockOnRateLimit(db, budget, error);
      if (retryAfterSeconds === null) {
        result.failure = error;
      } else {
        result.rateLimited = true;
        result.deferSeconds = retryAfterSeconds;
      }
      return result;
    }
    await confirmBroadcast(db, space, batch.to);
    result.from ??= batch.from;
    result.to = batch.to;
    result.payloads += 1;
    result.bytes += packet.length;
    result.changes += batch.to - batch.from + 1;
    if (batch.to >= claim.lastSeq) return result;
  }
}

/** What one claim's changes ask of a turn (see planTurn). */
interface TurnPlan {
  /** Confirm through this seq without a send: a leading run of changes their writers relayed. */
  skipTo: number | null;
  skipped: number;
  /** The run to send now (its first payload): it covers only its own seqs, and ends before a relayed change. */
  send: Change[];
  /** Nothing is due yet: the first of what waits for its writer's relay is due in this many seconds. */
  heldSeconds: number | null;
}

/**
 * Plans a turn over unconfirmed changes. A change its writer relayed is never sent again: a leading run
 * of them is confirmed without a call, and a run to send stops before one (a batch covers every seq in
 * [from, to], so it cannot leave a change out). A change still inside its relay grace waits, unless a
 * due change comes after it: the due one goes at once, and the waiting one with it (a duplicate of the
 * relay at worst, as broadcast_seq is one cursor). A tail that only waits is held for the grace.
 */
function planTurn(pending: readonly PendingChange[]): TurnPlan {
  const firstUnrelayed = pending.findIndex((p) => !p.relayed);
  const skipped = firstUnrelayed === -1 ? pending.length : firstUnrelayed;
  const skipTo = skipped > 0 ? pending[skipped - 1]!.change.seq : null;
  const rest = pending.slice(skipped);
  const lastDue = rest.findLastIndex((p) => !p.relayed && p.heldSeconds === 0);
  if (lastDue === -1) {
    const waiting = rest.filter((p) => !p.relayed).map((p) => p.heldSeconds);
    return { skipTo, skipped, send: [], heldSeconds: waiting.length > 0 ? Math.min(...waiting) : null };
  }
  const runEnd = rest.findIndex((p, i) => p.relayed || i > lastDue);
  const send = rest.slice(0, runEnd === -1 ? rest.length : runEnd).map((p) => p.change);
  return { skipTo, skipped, send, heldSeconds: null };
}

/** When the space's next turn must come, if this one left work: the budget's wait, or a relay's grace. */
export function nextTurnSeconds(result: BroadcastResult): number | null {
  return result.deferSeconds ?? result.heldSeconds;
}

/** What a turn adds to the pipeline's counters. */
export function countersOf(result: BroadcastResult): Counters {
  return {
    calls: result.payloads + (result.rateLimited || result.failure !== undefined ? 1 : 0),
    batches: result.payloads,
    changes: result.changes,
    bytes: result.bytes,
    empty_rooms: result.emptyRoom ? 1 : 0,
    relayed: result.relayed,
    deferred: result.deferSeconds !== null ? 1 : 0,
    rate_limited: result.rateLimited ? 1 : 0,
    failures: result.failure !== undefined ? 1 : 0,
  };
}

/** The log outcome of a turn. */
export function outcomeOf(result: BroadcastResult): string {
  if (result.failure !== undefined) return "retry";
  if (result.rateLimited) return "rate_limited";
  if (result.deferSeconds !== null) return result.payloads ? "sent_then_deferred" : "deferred";
  if (result.heldSeconds !== null) return "held_for_relay";
  if (result.emptyRoom) return "empty_room";
  return result.payloads ? "sent" : "nothing_pending";
}

/** Logs one line of JSON per broadcast turn. */
export function logBroadcast(event: string, result: Partial<BroadcastResult> & { space: BeingId }, startedAt: number, outcome: string, error?: unknown): void {
  const { failure: _failure, ...figures } = result;
  const line = { event, ...figures, ms: Date.now() - startedAt, outcome, ...(error ? { error: describeError(error) } : {}) };
  (error ? console.error : console.log)(JSON.stringify(line));
}

/** Adds counters, logging (never throwing) a failure: they are for operators, not for delivery. */
export async function recordCounters(db: Db, counters: Counters): Promise<void> {
  await addCounters(db, counters).catch((error) => console.error(JSON.stringify({ event: "sync_counters_failed", error: describeError(error) })));
}

/** Sums counters. */
export function addUp(totals: Counters, more: Counters): void {
  for (const [name, value] of Object.entries(more) as Array<[keyof Counters, number]>) totals[name] = (totals[name] ?? 0) + value;
}

/** Acks a deferred space's messages and enqueues one notice for it after `seconds`; if that fails, retries them instead. */
export async function deferTurn(env: Pick<Env, "SYNC_QUEUE">, space: BeingId, seconds: number, messages: readonly Message<unknown>[] = []): Promise<void> {
  const delaySeconds = Math.max(1, Math.ceil(seconds));
  if (await enqueueNotices(env, [space], delaySeconds)) messages.forEach((message) => message.ack());
  else messages.forEach((message) => message.retry({ delaySeconds }));
}
