/** The operator's charts read the last hour one point a minute; the server reports only the minutes that had something. */
import type { SyncMinute } from "../../shared/responses.ts";

/** Points in a chart: the hour GET /api/admin/stats covers, ending at the current minute. */
export const WINDOW_MINUTES = 60;

const MINUTE_MS = 60_000;

export interface MinutePoint<T> {
  minute: Date;
  value: T;
}

/**
 * One point for each minute of the hour ending at `end`'s minute, oldest first: `value` of the minute
 * the server reported, `missing` for one it did not (0 for a counter: nothing happened then; null for
 * a gauge: the sweeper took no sample, which a chart shows as a gap rather than as zero). The minutes
 * are the pipeline's unless named (`perMinute<ReceiverMinute>`): an empty list cannot tell which.
 */
export function perMinute<M extends { minute: Date } = SyncMinute, T extends number | null = number | null>(
  minutes: readonly NoInfer<M>[],
  end: Date,
  value: (minute: M) => T,
  missing: T,
): MinutePoint<T>[] {
  const reported = new Map(minutes.map((minute) => [Math.floor(minute.minute.getTime() / MINUTE_MS), minute]));
  const last = Math.floor(end.getTime() / MINUTE_MS);
  return Array.from({ length: WINDOW_MINUTES }, (_, i) => {
    const index = last - (WINDOW_MINUTES - 1) + i;
    const minute = reported.get(index);
    return { minute: new Date(index * MINUTE_MS), value: minute ? value(minute) : missing };
  });
}
