/**
 * Receivers' health (CONTRACT.md): what a space's tally (tally.ts) counted since the last report goes to
 * POST /api/sync/health at most once a minute, when the page is hidden (it may never come back), and
 * when the conversation closes. Nothing new, nothing sent. The body is `syncHealthReport`
 * (src/shared/schemas.ts), checked by the server; only its type is imported here, to stay light.
 */
import type { BeingId } from "../../shared/entities.ts";
import type { SyncHealthReport } from "../../shared/schemas.ts";
import { sendHealthReport } from "../api.ts";
import type { SyncStatsSnapshot } from "./tally.ts";

export const HEALTH_INTERVAL_MS = 60_000;
// The schema's bounds, kept by the sender too so a long-lived page never has a report refused.
const MAX_COUNT = 1_000_000;
const MAX_KEYS = 64;

/** How a report leaves; `leaving`: the page is going away (the default sender keeps every request alive past unload). */
export type SendReport = (report: SyncHealthReport, leaving: boolean) => void;

export interface HealthOptions {
  send?: SendReport;
  intervalMs?: number;
}

/** Reports `stats` of the space until the returned function is called (which reports what is left). */
export function reportHealth(space: BeingId, stats: () => SyncStatsSnapshot, options: HealthOptions = {}): () => void {
  const send = options.send ?? sendReport;
  let reported: Record<string, number> = {};

  const report = (beacon: boolean) => {
    const now = stats();
    const body = healthReport(space, now, reported);
    reported = now.counts;
    if (body) send(body, beacon);
  };
  const timer = setInterval(() => report(false), options.intervalMs ?? HEALTH_INTERVAL_MS);
  // Browsers differ in which comes first, and Safari may say "visible" during pagehide: either reports,
  // and the second finds nothing new.
  const leaving = () => report(true);
  const hidden = () => {
    if (globalThis.document?.visibilityState === "hidden") report(true);
  };
  globalThis.addEventListener?.("pagehide", leaving);
  globalThis.document?.addEventListener("visibilitychange", hidden);
  return () => {
    clearInterval(timer);
    globalThis.removeEventListener?.("pagehide", leaving);
    globalThis.document?.removeEventListener("visibilitychange", hidden);
    report(false);
  };
}

/** The report of what `now` counted since `before` (earlier counts); undefined when nothing happened. */
export function healthReport(space: BeingId, now: SyncStatsSnapshot, before: Record<string, number>): SyncHealthReport | undefined {
  const counts: Record<string, number> = {};
  for (const [name, count] of Object.entries(now.counts)) {
    const since = count - (before[name] ?? 0);
    if (since > 0 && Object.keys(counts).length < MAX_KEYS) counts[name] = Math.min(since, MAX_COUNT);
  }
  if (Object.keys(counts).length === 0) return undefined;
  // The tally keeps the newest samples: those taken since the last report are at its end.
  const fresh = Math.min(counts.lag ?? 0, now.lag.length);
  const lag = fresh > 0 ? now.lag.slice(-fresh).sort((a, b) => a - b) : [];
  return {
    space,
    minute: Math.floor(Date.now() / 60_000),
    counts,
    lag: { p50: percentile(lag, 0.5), p99: percentile(lag, 0.99), samples: lag.length },
    clockOffsetMs: now.clockOffsetMs,
  };
}

/** The value below which `share` of the sorted `values` fall (nearest rank); 0 without values. */
function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

/**
 * Sends a report; a lost one is only a missing minute of figures. Always a `keepalive` request: it
 * outlives a page that is going away as a beacon does, and carries the JSON type and Origin the API
 * requires (a beacon's Blob type is not one browsers agree to send).
 */
function sendReport(report: SyncHealthReport): void {
  void sendHealthReport(report).catch(() => undefined);
}
