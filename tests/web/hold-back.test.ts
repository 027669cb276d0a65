// The hold-back alone: batches past a gap wait, connect in order, and an open gap ends in a catch-up.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { judge, type SyncBatch, type Verdict } from "../../src/shared/sync.ts";
import { createHoldBack, HOLD_BACK_MS, MAX_HELD } from "../../src/web/sync/hold-back.ts";
import { batch, SPACE } from "./support/fixtures.ts";

/** A hold-back over a receiver whose state is at seq `last`: it applies what connects and holds gaps. */
function receiver(last: number) {
  const state = { last, applied: [] as number[], catchUps: 0, counts: {} as Record<string, number> };
  const judgeNow = (b: SyncBatch) => judge(b, { space: SPACE, last: state.last });
  const act = (verdict: Verdict) => {
    if (verdict.kind !== "apply") return;
    state.applied.push(verdict.batch.to);
    state.last = verdict.batch.to;
    holdBack.release();
  };
  const holdBack = createHoldBack({
    judge: judgeNow,
    act,
    catchUp: () => state.catchUps++,
    count: (name) => (state.counts[name] = (state.counts[name] ?? 0) + 1),
  });
  /** Takes a batch as the pump would: holds it past a gap, else acts on it. */
  const take = (b: SyncBatch) => {
    const verdict = judgeNow(b);
    if (verdict.kind === "gap") holdBack.hold(verdict.batch);
    else act(verdict);
  };
  return { state, holdBack, take };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it("releases batches that arrive out of order (8, 7, then 6) in order, without a catch-up", () => {
  const { state, take } = receiver(5);
  take(batch(8, 8, []));
  take(batch(7, 7, []));
  expect(state.applied).toEqual([]);
  take(batch(6, 6, []));
  expect(state.applied).toEqual([6, 7, 8]);
  vi.advanceTimersByTime(HOLD_BACK_MS);
  expect(state.catchUps).toBe(0);
  expect(state.counts).toEqual({ gaps: 1, "held.resolved": 1 });
});

it("asks for a catch-up once the gap has stayed open for HOLD_BACK_MS, and not before", () => {
  const { state, take } = receiver(5);
  take(batch(7, 7, []));
  vi.advanceTimersByTime(HOLD_BACK_MS - 1);
  expect(state.catchUps).toBe(0);
  vi.advanceTimersByTime(1);
  expect(state.catchUps).toBe(1);
  expect(state.counts["held.caughtUp"]).toBe(1);
});

it("asks for a catch-up after packets were lost unread, even with nothing held", () => {
  const { state, holdBack } = receiver(5);
  holdBack.lost();
  vi.advanceTimersByTime(HOLD_BACK_MS);
  expect(state.catchUps).toBe(1);
});

it("holds at most MAX_HELD batches, dropping the oldest", () => {
  const { state, take } = receiver(0);
  for (let seq = 2; seq <= MAX_HELD + 2; seq++) take(batch(seq, seq, []));
  expect(state.counts["held.dropped"]).toBe(1);
  // Seq 2 was dropped: 1 connects, the rest still waits for 2.
  take(batch(1, 1, []));
  expect(state.applied).toEqual([1]);
});

it("asks nothing once closed", () => {
  const { state, take, holdBack } = receiver(5);
  take(batch(7, 7, []));
  holdBack.close();
  vi.advanceTimersByTime(HOLD_BACK_MS);
  expect(state.catchUps).toBe(0);
});
