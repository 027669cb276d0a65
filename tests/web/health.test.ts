import { afterEach, describe, expect, it, vi } from "vitest";
import type { SyncHealthReport } from "../../src/shared/schemas.ts";
import { syncHealthReport } from "../../src/shared/schemas.ts";
import { healthReport, reportHealth } from "../../src/web/sync/health.ts";
import { createTally } from "../../src/web/sync/tally.ts";
import { SPACE } from "./support/fixtures.ts";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("a health report", () => {
  it("carries what was counted since the last one, and the lag of the samples taken since", () => {
    const tally = createTally();
    const now = Date.now();
    tally.count("applied", 3);
    tally.count("rejected.bad-signature");
    for (const ms of [100, 200, 300]) tally.lagOf(new Date(now - ms), now);
    const first = healthReport(SPACE, tally.snapshot(), {})!;
    expect(first).toMatchObject({ space: SPACE, counts: { applied: 3, "rejected.bad-signature": 1, lag: 3 }, lag: { p50: 200, p99: 300, samples: 3 }, clockOffsetMs: 0 });
    expect(syncHealthReport.safeParse(first).success).toBe(true);

    const before = tally.snapshot().counts;
    tally.count("applied");
    tally.lagOf(new Date(now - 50), now);
    const second = healthReport(SPACE, tally.snapshot(), before)!;
    expect(second.counts).toEqual({ applied: 1, lag: 1 });
    expect(second.lag).toEqual({ p50: 50, p99: 50, samples: 1 });
    expect(healthReport(SPACE, tally.snapshot(), tally.snapshot().counts)).toBeUndefined();
  });

  it("corrects the lag by the clock offset a write's round trip measured", () => {
    const tally = createTally();
    // Sent at 1,000 and answered at 1,100 by this clock; the server committed at 11,050 by its own: 10 s ahead.
    tally.roundTrip(1_000, 1_100, new Date(11_050));
    tally.lagOf(new Date(20_000), 10_080);
    expect(tally.snapshot()).toMatchObject({ clockOffsetMs: 10_000, lag: [80] });
    // A slower round trip says less, and is not taken.
    tally.roundTrip(2_000, 2_900, new Date(0));
    expect(tally.snapshot().clockOffsetMs).toBe(10_000);
  });

  it("stays within the schema's bounds however long the page lives", () => {
    const tally = createTally();
    for (let i = 0; i < 100; i++) tally.count(`count${i}`, 5_000_000);
    const report = healthReport(SPACE, tally.snapshot(), {})!;
    expect(Object.keys(report.counts)).toHaveLength(64);
    expect(syncHealthReport.safeParse(report).success).toBe(true);
  });
});

describe("reporting", () => {
  it("sends at most once a minute, and by beacon when the page is hidden; nothing new, nothing sent", () => {
    vi.useFakeTimers();
    const tally = createTally();
    const sent: [SyncHealthReport, boolean][] = [];
    const stop = reportHealth(SPACE, tally.snapshot, { send: (report, beacon) => sent.push([report, beacon]) });
    tally.count("applied");
    vi.advanceTimersByTime(59_000);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(sent.map(([report, beacon]) => [report.counts, beacon])).toEqual([[{ applied: 1 }, false]]);
    vi.advanceTimersByTime(60_000);
    expect(sent).toHaveLength(1);

    tally.count("duplicates");
    vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    document.dispatchEvent(new Event("visibilitychange"));
    dispatchEvent(new Event("pagehide"));
    expect(sent.slice(1).map(([report, beacon]) => [report.counts, beacon])).toEqual([[{ duplicates: 1 }, true]]);

    // A page leaving while still "visible" (Safari) reports too.
    vi.spyOn(document, "visibilityState", "get").mockReturnValue("visible");
    tally.count("reconnects");
    dispatchEvent(new Event("pagehide"));
    expect(sent.slice(2).map(([report, beacon]) => [report.counts, beacon])).toEqual([[{ reconnects: 1 }, true]]);

    tally.count("polls");
    stop();
    expect(sent.slice(3).map(([report]) => report.counts)).toEqual([{ polls: 1 }]);
    vi.advanceTimersByTime(120_000);
    expect(sent).toHaveLength(4);
  });
});
