/**
 * Every setting the worker reads from its wrangler vars, in one place, each with its default and its
 * bounds (wrangler.toml says what each is for). An unset or unreadable number falls back to its default.
 */
import type { VapidKeys } from "./push/vapid.ts";

/** A non-negative number setting, or `fallback` when it is unset or not one. */
function numberSetting(value: string | undefined, fallback: number): number {
  const parsed = Number.parseFloat(value ?? "");
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

/** Who may sign in as a guest, and who is a superuser whatever its properties say. */
export interface AccountSettings {
  /** GUEST_SIGNIN: anything but "off" lets guests sign in. */
  guestSignIn: boolean;
  /** SUPERUSER_IDS: comma-separated being ids. */
  superuserIds: string[];
}

/** The accounts' settings. */
export function accountSettings(env: Partial<Pick<Env, "GUEST_SIGNIN" | "SUPERUSER_IDS">>): AccountSettings {
  return {
    guestSignIn: env.GUEST_SIGNIN !== "off",
    superuserIds: (env.SUPERUSER_IDS ?? "").split(",").map((id) => id.trim()).filter(Boolean),
  };
}

export interface SyncSettings {
  /** Seconds an unconfirmed change waits before the sweeper re-broadcasts it (SYNC_GRACE_SECONDS; 10). */
  graceSeconds: number;
  /** Seconds a confirmed change stays in the log for catch-up before it is pruned (CHANGE_RETENTION_SECONDS; a day). */
  retentionSeconds: number;
}

/** The sync pipeline's settings. */
export function syncSettings(env: Partial<Pick<Env, "SYNC_GRACE_SECONDS" | "CHANGE_RETENTION_SECONDS">>): SyncSettings {
  return {
    graceSeconds: numberSetting(env.SYNC_GRACE_SECONDS, 10),
    retentionSeconds: numberSetting(env.CHANGE_RETENTION_SECONDS, 86_400),
  };
}

/**
 * How long the broadcast of a write made with `Sync-Relay: 1` waits for its writer's confirmation that
 * it published the change itself: the contract's "at most 2 s". Whole seconds, as Cloudflare Queues
 * delay a notice (the broadcast's fallback) by whole seconds.
 */
export const SYNC_RELAY_GRACE_SECONDS = 2;

/**
 * How long a being's data publishing in a room stays taken back after a receiver muted one of its
 * connections: long enough that a flooder's reconnects gain nothing, short enough that a false report
 * (which costs its target only the fast path: its writes still reach everyone by the server) passes.
 */
export const PUBLISH_REVOCATION_SECONDS = 3600;

/**
 * A LiveKit project's server API budget, spent by src/worker/sync/budget.ts. Its API key names the
 * project: LiveKit counts the calls of every key's project together.
 */
export interface Budget {
  project: string;
  /** LIVEKIT_CALLS_PER_MINUTE; 0 = unlimited, for a self-hosted server. */
  callsPerMinute: number;
}

/** LiveKit Cloud allows 1,000 server API calls a minute per project; a tenth is left for operators' own tools. */
const DEFAULT_CALLS_PER_MINUTE = 900;

/** The LiveKit API budget's settings. */
export function budgetSettings(env: Pick<Env, "LIVEKIT_API_KEY"> & Partial<Pick<Env, "LIVEKIT_CALLS_PER_MINUTE">>): Budget {
  return { project: env.LIVEKIT_API_KEY, callsPerMinute: numberSetting(env.LIVEKIT_CALLS_PER_MINUTE, DEFAULT_CALLS_PER_MINUTE) };
}

/** How long a being that left stays listed as away in a space (AWAY_LISTED_SECONDS; an hour). */
export function presenceSettings(env: Partial<Pick<Env, "AWAY_LISTED_SECONDS">>): { awayListedSeconds: number } {
  return { awayListedSeconds: numberSetting(env.AWAY_LISTED_SECONDS, 3600) };
}

export interface BotSettings {
  /** The OpenAI-compatible API every bot streams from (…/v1); empty: no provider, bots answer how to set one. */
  apiBaseUrl: string;
  /** Replies streaming at once in one space, and from one bot; more wait their turn (src/worker/bots/runner.ts). */
  perSpace: number;
  perBot: number;
  /** A reply ends `complete` at this many characters, the stream cut. */
  maxReplyChars: number;
  /** A provider that sends nothing for this long has stalled: the reply ends `failed`. */
  stallSeconds: number;
  /** At most one write of a growing reply per this many ms (see src/worker/bots/reply.ts). */
  writeIntervalMs: number;
  /** The conversation sent to the model, in estimated tokens (prompt included). */
  contextTokens: number;
  /** Tokens a day the operator's default key (BOT_DEFAULT_API_KEY) spends for one asker, and for everyone together. */
  defaultKeyTokensPerBeing: number;
  defaultKeyTokens: number;
}

type BotEnv = Partial<
  Pick<
    Env,
    | "BOT_API_BASE_URL"
    | "BOT_REPLIES_PER_SPACE"
    | "BOT_REPLIES_PER_BOT"
    | "BOT_MAX_REPLY_CHARS"
    | "BOT_STALL_SECONDS"
    | "BOT_WRITE_INTERVAL_MS"
    | "BOT_CONTEXT_TOKENS"
    | "BOT_DEFAULT_DAILY_TOKENS_PER_BEING"
    | "BOT_DEFAULT_DAILY_TOKENS"
  >
>;

/** The bots' settings (BOT_*), each at least a floor that keeps a reply working. */
export function botSettings(env: BotEnv): BotSettings {
  return {
    apiBaseUrl: (env.BOT_API_BASE_URL ?? "").trim().replace(/\/+$/, ""),
    perSpace: Math.max(1, numberSetting(env.BOT_REPLIES_PER_SPACE, 2)),
    perBot: Math.max(1, numberSetting(env.BOT_REPLIES_PER_BOT, 4)),
    maxReplyChars: Math.max(1, numberSetting(env.BOT_MAX_REPLY_CHARS, 4000)),
    stallSeconds: Math.max(0.1, numberSetting(env.BOT_STALL_SECONDS, 30)),
    writeIntervalMs: Math.max(50, numberSetting(env.BOT_WRITE_INTERVAL_MS, 400)),
    contextTokens: Math.max(100, numberSetting(env.BOT_CONTEXT_TOKENS, 3000)),
    defaultKeyTokensPerBeing: numberSetting(env.BOT_DEFAULT_DAILY_TOKENS_PER_BEING, 20_000),
    defaultKeyTokens: numberSetting(env.BOT_DEFAULT_DAILY_TOKENS, 200_000),
  };
}

/** Web Push's VAPID keys (secrets VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY) and contact (VAPID_SUBJECT); null when the keys are not set: push is off. */
export function pushSettings(env: Partial<Pick<Env, "VAPID_PUBLIC_KEY" | "VAPID_PRIVATE_KEY" | "VAPID_SUBJECT">>): VapidKeys | null {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return null;
  return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT ?? "" };
}

/** PUSH_SERVICE_HOSTS: the hosts (or parent domains) push subscriptions may name; see src/worker/push/endpoint.ts. */
export function pushServiceHosts(env: Partial<Pick<Env, "PUSH_SERVICE_HOSTS">>): string[] {
  return (env.PUSH_SERVICE_HOSTS ?? "")
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
}

/** The attachments' limits, in bytes (ATTACHMENT_*; see wrangler.toml). */
export interface AttachmentSettings {
  /** One file (ATTACHMENT_MAX_BYTES; 25 MiB). */
  maxBytes: number;
  /** What one being may upload in a day, UTC (ATTACHMENT_DAILY_BYTES_PER_BEING; 500 MiB). */
  dailyBytesPerBeing: number;
  /** All of one space's files together (ATTACHMENT_SPACE_BYTES; 5 GiB). */
  spaceBytes: number;
}

/** The attachments' settings. */
export function attachmentSettings(
  env: Partial<Pick<Env, "ATTACHMENT_MAX_BYTES" | "ATTACHMENT_DAILY_BYTES_PER_BEING" | "ATTACHMENT_SPACE_BYTES">>,
): AttachmentSettings {
  return {
    maxBytes: numberSetting(env.ATTACHMENT_MAX_BYTES, 26_214_400),
    dailyBytesPerBeing: numberSetting(env.ATTACHMENT_DAILY_BYTES_PER_BEING, 524_288_000),
    spaceBytes: numberSetting(env.ATTACHMENT_SPACE_BYTES, 5_368_709_120),
  };
}
