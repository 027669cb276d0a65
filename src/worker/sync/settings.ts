/** The sync pipeline's settings (wrangler vars), read in one place with their defaults. */
import type { Budget } from "../db/queries/sync.ts";

export interface SyncSettings {
  /** Seconds an unconfirmed change waits before the sweeper re-broadcasts it. */
  graceSeconds: number;
  /** The LiveKit project's server API budget (LIVEKIT_CALLS_PER_MINUTE; 0 = unlimited, for a self-hosted server). */
  budget: Budget;
  /** Seconds a confirmed change stays in the log for catch-up before it is pruned. */
  retentionSeconds: number;
}

/** LiveKit Cloud allows 1,000 server API calls a minute per project; a tenth is left for operators' own tools. */
export const DEFAULT_CALLS_PER_MINUTE = 900;

/** A non-negative number setting, or `fallback` when it is unset or not one. */
export function numberSetting(value: string | undefined, fallback: number): number {
  const parsed = Number.parseFloat(value ?? "");
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

type SettingsEnv = Pick<Env, "LIVEKIT_API_KEY"> &
  Partial<Pick<Env, "SYNC_GRACE_SECONDS" | "LIVEKIT_CALLS_PER_MINUTE" | "CHANGE_RETENTION_SECONDS">>;

export function syncSettings(env: SettingsEnv): SyncSettings {
  return {
    graceSeconds: numberSetting(env.SYNC_GRACE_SECONDS, 10),
    // LiveKit counts calls per project; its API key names it.
    budget: { project: env.LIVEKIT_API_KEY, callsPerMinute: numberSetting(env.LIVEKIT_CALLS_PER_MINUTE, DEFAULT_CALLS_PER_MINUTE) },
    retentionSeconds: numberSetting(env.CHANGE_RETENTION_SECONDS, 86_400),
  };
}

/** How long a being that left stays listed as away in a space (AWAY_LISTED_SECONDS; an hour by default). */
export function presenceSettings(env: Partial<Pick<Env, "AWAY_LISTED_SECONDS">>): { awayListedSeconds: number } {
  return { awayListedSeconds: numberSetting(env.AWAY_LISTED_SECONDS, 3600) };
}
