/**
 * How sync reaches this page in one space (CONTRACT.md, "Receivers' health"): named counts, commit →
 * apply lag samples, and the page's clock offset to the server. The pump keeps one; health.ts reports it.
 */

/** Lag samples kept: enough for a minute of a busy room; older ones are dropped first. */
const MAX_LAG_SAMPLES = 2_048;
const DAY_MS = 24 * 60 * 60 * 1_000;

/** What a tally holds so far, as plain data: counts since the page opened the space, the newest lag samples. */
export interface SyncStatsSnapshot {
  /** Named counts since the start (`applied`, `rejected.bad-signature`, …; `lag` counts every sample ever taken). */
  counts: Record<string, number>;
  /** The newest commit → apply lags in ms, oldest first, already corrected by `clockOffsetMs`. */
  lag: number[];
  /** The server's clock minus this page's, as best estimated so far (0 until a write has measured it). */
  clockOffsetMs: number;
}

/** Counts and lag samples of one space's sync. */
export function createTally() {
  const counts: Record<string, number> = {};
  const lag: number[] = [];
  let offset = 0;
  // The estimate from the quickest round trip is the tightest: the commit happened inside it.
  let bestRoundTrip = Infinity;
  return {
    count(name: string, by = 1): void {
      counts[name] = (counts[name] ?? 0) + by;
    },
    /** Records how long ago (server time) a change committed that is applied now. */
    lagOf(committed: Date, now = Date.now()): void {
      lag.push(Math.min(DAY_MS, Math.max(0, now + offset - committed.getTime())));
      if (lag.length > MAX_LAG_SAMPLES) lag.shift();
      counts.lag = (counts.lag ?? 0) + 1;
    },
    /** Learns the clock offset from a write sent at `sentAt` and answered at `answeredAt` whose change committed at `committed` (server time). */
    roundTrip(sentAt: number, answeredAt: number, committed: Date): void {
      const roundTrip = answeredAt - sentAt;
      if (roundTrip < 0 || roundTrip >= bestRoundTrip) return;
      bestRoundTrip = roundTrip;
      offset = committed.getTime() - (sentAt + answeredAt) / 2;
    },
    snapshot: (): SyncStatsSnapshot => ({ counts: { ...counts }, lag: [...lag], clockOffsetMs: Math.round(offset) }),
  };
}

export type Tally = ReturnType<typeof createTally>;
