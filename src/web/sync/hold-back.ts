/** The contract's hold-back: batches past a gap wait up to HOLD_BACK_MS for the missing seqs, then the pump catches up. */
import { HOLD_BACK_MS, type SyncBatch, type Verdict } from "../../shared/sync.ts";

export { HOLD_BACK_MS };
/** Batches held past a gap at most; the oldest goes first (the catch-up to come fetches it). */
export const MAX_HELD = 256;

export interface HoldBackActions {
  /** Judges a held batch against the state as it is now. */
  judge(batch: SyncBatch): Verdict;
  /** Does what the verdict of a batch that no longer waits says (it connects now, or the state covers it). */
  act(verdict: Verdict): void;
  /** The gap stayed open for HOLD_BACK_MS, or packets may have been lost: fetch what is missing. */
  catchUp(): void;
  count(name: string): void;
}

/** Holds batches past a gap, releases them in order once they connect, and asks for a catch-up when the gap stays open. */
export function createHoldBack({ judge, act, catchUp, count }: HoldBackActions) {
  // By `from` ascending, waiting for the seqs before them.
  const held: SyncBatch[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Packets were dropped before they were read: a real one may be among them.
  let packetsLost = false;

  /** Catches up in HOLD_BACK_MS unless the gap closes before (a timer already running keeps its time). */
  function awaitGap(): void {
    timer ??= setTimeout(() => {
      timer = undefined;
      if (held.length === 0 && !packetsLost) return;
      packetsLost = false;
      count("held.caughtUp");
      catchUp();
    }, HOLD_BACK_MS);
  }

  return {
    /** Keeps a batch past a gap, in `from` order, and starts waiting for the gap to close. */
    hold(batch: SyncBatch): void {
      if (held.length === 0) count("gaps");
      const at = held.findIndex((other) => other.from > batch.from);
      held.splice(at < 0 ? held.length : at, 0, batch);
      if (held.length > MAX_HELD) {
        held.shift();
        count("held.dropped");
      }
      awaitGap();
    },
    /** Acts on the held batches that now connect, in order, and on those the state already covers. */
    release(): void {
      while (held.length > 0 && judge(held[0]).kind !== "gap") act(judge(held.shift()!));
      // A gap the catch-up did not close either waits again.
      if (held.length > 0) return awaitGap();
      if (timer === undefined || packetsLost) return;
      clearTimeout(timer);
      timer = undefined;
      count("held.resolved");
    },
    /** Notes that packets were dropped unread: a catch-up follows within the hold-back. */
    lost(): void {
      packetsLost = true;
      awaitGap();
    },
    close(): void {
      clearTimeout(timer);
    },
  };
}

export type HoldBack = ReturnType<typeof createHoldBack>;
