/**
 * Receivers' health (CONTRACT.md): each browser's report of how sync reaches it, summed per space and
 * minute with nothing that names who sent it, and read back per minute for the operator page.
 */
import { sql } from "drizzle-orm";
import type { ReceiverMinute } from "../../../shared/responses.ts";
import type { SyncHealthReport } from "../../../shared/schemas.ts";
import { query, type Db } from "../client.ts";
import { requireAccess } from "./access.ts";
import { addTallies, sumTallies } from "./tallies.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/**
 * The count names the operator page reads (docs/api.md), as the web app's pump counts them (src/web/sync/pump.ts).
 * Rejections come by reason (`rejected.bad-signature`, …) and are summed; other names are kept but not charted.
 */
const FIGURES = {
  applied: "applied",
  relayed: "relayed",
  duplicates: "duplicates",
  gaps: "gaps",
  catchUps: "catchUps",
  polls: "polls",
  reconnects: "reconnects",
} as const;
const REJECTED = "rejected";

/** Count names one space's minute keeps: names are open, so many reports must not grow a row without end. */
const MAX_NAMES_PER_MINUTE = 256;

/**
 * The log bucket a lag falls in, named by its upper bound in ms. Buckets grow by 2^¼ (19%): fine enough
 * to tell 200 ms from 300 ms, and a day spans about a hundred of them.
 */
export function lagBucket(ms: number): number {
  return ms <= 1 ? 1 : Math.round(2 ** (Math.ceil(4 * Math.log2(ms)) / 4));
}

/** The bucket bound at or below which a fraction `q` of a histogram's reports fall; null when it is empty. */
function percentile(histogram: Record<string, number>, q: number): number | null {
  const buckets = Object.entries(histogram)
    .map(([bound, reports]) => [Number(bound), reports] as const)
    .sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, reports]) => sum + reports, 0);
  let seen = 0;
  for (const [bound, reports] of buckets) {
    seen += reports;
    if (seen >= q * total) return bound;
  }
  return null;
}

/**
 * Adds a report to its space's current minute when the viewer, signed in, may read the space
 * (UNAUTHENTICATED or NOT_FOUND otherwise). The minute is the server's: a report cannot choose where it lands.
 */
export async function recordHealthReport(db: Db, viewer: ViewerRef, report: SyncHealthReport): Promise<void> {
  // A report that measured no lag says nothing about it: it adds to no histogram.
  const lagOf = (ms: number) => JSON.stringify(report.lag.samples > 0 ? { [lagBucket(ms)]: 1 } : {});
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        target AS (SELECT v.id AS viewer_id, may_read_space(s, v.id, v.su) AS visible FROM viewer v LEFT JOIN beings s ON s.id = ${report.space}),
        added AS (
          INSERT INTO sync_health_minutes AS h (space_id, minute, reports, counts, lag_p50, lag_p99)
          SELECT ${report.space}, date_trunc('minute', now()), 1, ${JSON.stringify(report.counts)}::jsonb,
            ${lagOf(report.lag.p50)}::jsonb, ${lagOf(report.lag.p99)}::jsonb
          FROM target WHERE viewer_id IS NOT NULL AND visible
          ON CONFLICT (space_id, minute) DO UPDATE SET reports = h.reports + 1,
            counts = ${addTallies(sql`h.counts`, sql`excluded.counts`, MAX_NAMES_PER_MINUTE)},
            lag_p50 = ${addTallies(sql`h.lag_p50`, sql`excluded.lag_p50`)},
            lag_p99 = ${addTallies(sql`h.lag_p99`, sql`excluded.lag_p99`)}
        )
        SELECT viewer_id, visible FROM target`,
  );
  requireAccess(row, "space");
}

/** Forgets minutes older than a day (the sweeper's upkeep). */
export async function forgetHealthMinutes(db: Db): Promise<void> {
  await query(db, sql`DELETE FROM sync_health_minutes WHERE minute < now() - interval '1 day'`);
}

/** One minute of the last hour, all spaces summed, as the statement below returns it. */
export interface ReceiverMinuteRow {
  minute: string;
  reports: number;
  counts: Record<string, number>;
  lag_p50: Record<string, number>;
  lag_p99: Record<string, number>;
}

const summed = (column: string) => sumTallies("sync_health_minutes", column, sql`t.minute = m.minute`);

/** A jsonb array of the last hour's minutes that had reports, oldest first (ReceiverMinuteRow each), or null. */
export const RECEIVER_MINUTES = sql`SELECT jsonb_agg(jsonb_build_object('minute', m.minute, 'reports', m.reports,
    'counts', ${summed("counts")}, 'lag_p50', ${summed("lag_p50")}, 'lag_p99', ${summed("lag_p99")}) ORDER BY m.minute)
  FROM (SELECT minute, sum(reports)::int AS reports FROM sync_health_minutes WHERE minute > now() - interval '1 hour' GROUP BY minute) AS m`;

/** A minute's sums as the operator page reads them. */
export function toReceiverMinute(row: ReceiverMinuteRow): ReceiverMinute {
  const figure = (name: string) => row.counts[name] ?? 0;
  const rejected = Object.entries(row.counts).reduce((sum, [name, value]) => (name === REJECTED || name.startsWith(`${REJECTED}.`) ? sum + value : sum), 0);
  const [applied, relayed] = [figure(FIGURES.applied), figure(FIGURES.relayed)];
  return {
    minute: new Date(row.minute),
    reports: row.reports,
    applied,
    relayed,
    relayedShare: applied > 0 ? Math.min(1, relayed / applied) : null,
    duplicates: figure(FIGURES.duplicates),
    rejected,
    gaps: figure(FIGURES.gaps),
    catchUps: figure(FIGURES.catchUps),
    polls: figure(FIGURES.polls),
    reconnects: figure(FIGURES.reconnects),
    lagP50Ms: percentile(row.lag_p50, 0.5),
    lagP99Ms: percentile(row.lag_p99, 0.99),
  };
}
