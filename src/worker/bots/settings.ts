/** Bots' settings (wrangler vars), read in one place with their defaults. */
import { numberSetting } from "../sync/settings.ts";

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
  /** At most one write of a growing reply per this many ms (see src/worker/bots/turn.ts). */
  writeIntervalMs: number;
  /** The conversation sent to the model, in estimated tokens (prompt included). */
  contextTokens: number;
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
  >
>;

export function botSettings(env: BotEnv): BotSettings {
  return {
    apiBaseUrl: (env.BOT_API_BASE_URL ?? "").trim().replace(/\/+$/, ""),
    perSpace: Math.max(1, numberSetting(env.BOT_REPLIES_PER_SPACE, 2)),
    perBot: Math.max(1, numberSetting(env.BOT_REPLIES_PER_BOT, 4)),
    maxReplyChars: Math.max(1, numberSetting(env.BOT_MAX_REPLY_CHARS, 4000)),
    stallSeconds: Math.max(0.1, numberSetting(env.BOT_STALL_SECONDS, 30)),
    writeIntervalMs: Math.max(50, numberSetting(env.BOT_WRITE_INTERVAL_MS, 400)),
    contextTokens: Math.max(100, numberSetting(env.BOT_CONTEXT_TOKENS, 3000)),
  };
}
