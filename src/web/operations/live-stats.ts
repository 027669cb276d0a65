/** The operator page's figures, kept fresh: GET /api/admin/stats every few seconds while the page is looked at. */
import { batch, createSignal, type Accessor } from "solid-js";
import { ApiError } from "../../shared/errors.ts";
import type { SyncStats } from "../../shared/responses.ts";
import { getSyncStats } from "../api.ts";

/** How often the figures are asked for; the server's gauges move once a minute, its counters at any time. */
export const POLL_MS = 5_000;

/**
 * - `loading`: nothing has answered yet
 * - `live`: the last request answered
 * - `stale`: the last one failed (offline, 503…); `stats` are the last figures that came
 * - `refused`: the caller is not a superuser (or no longer signed in): no figures, no more requests
 */
export type StatsStatus = "loading" | "live" | "stale" | "refused";

export interface LiveStats {
  stats: Accessor<SyncStats | undefined>;
  /** When `stats` came, by this browser's clock. */
  updatedAt: Accessor<Date | undefined>;
  status: Accessor<StatsStatus>;
  /** Stops asking (the page is left). */
  close(): void;
}

export interface LiveStatsOptions {
  read?: () => Promise<SyncStats>;
  intervalMs?: number;
}

const refusal = (error: unknown) => error instanceof ApiError && (error.code === "FORBIDDEN" || error.code === "UNAUTHENTICATED");

/** Asks now and then every `intervalMs` while the document is visible; a hidden page sends nothing and asks again when shown. */
export function createLiveStats(options: LiveStatsOptions = {}): LiveStats {
  const read = options.read ?? getSyncStats;
  const intervalMs = options.intervalMs ?? POLL_MS;
  const [stats, setStats] = createSignal<SyncStats>();
  const [updatedAt, setUpdatedAt] = createSignal<Date>();
  const [status, setStatus] = createSignal<StatsStatus>("loading");
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asking = false;
  let stopped = false;

  const visible = () => document.visibilityState === "visible";

  // One request at a time, the next timed from the last answer: a slow server is never asked twice at once.
  const ask = async () => {
    timer = undefined;
    asking = true;
    try {
      const next = await read();
      if (stopped) return;
      batch(() => {
        setStats(next);
        setUpdatedAt(new Date());
        setStatus("live");
      });
    } catch (error) {
      if (stopped) return;
      if (refusal(error)) {
        batch(() => {
          setStats(undefined);
          setStatus("refused");
        });
        return stop();
      }
      setStatus("stale");
    } finally {
      asking = false;
    }
    if (visible()) timer = setTimeout(ask, intervalMs);
  };

  const onVisibility = () => {
    if (!visible()) {
      clearTimeout(timer);
      timer = undefined;
    } else if (!asking && timer === undefined) {
      void ask();
    }
  };

  function stop() {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisibility);
  }

  document.addEventListener("visibilitychange", onVisibility);
  onVisibility();
  return { stats, updatedAt, status, close: stop };
}
