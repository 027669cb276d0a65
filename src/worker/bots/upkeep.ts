/** The bots' upkeep, run by the cron (src/worker/cron.ts) every minute. */
import { createDb } from "../db/client.ts";
import { failStaleReplies } from "../db/queries/replies.ts";
import { botSettings } from "../settings.ts";
import { enqueueNotices } from "../sync/notify.ts";
import { failureNode } from "./reply.ts";

/** Longer than a turn's retries take to resume it (a few seconds each). */
const STALE_REPLY_MARGIN_SECONDS = 60;

/**
 * A bot's reply that has had no write for well past the stall timeout has lost its turn (the worker
 * died where no retry could follow): it ends failed, its text kept, instead of staying active forever.
 */
export async function failStaleBotReplies(env: Env): Promise<void> {
  const staleSeconds = botSettings(env).stallSeconds + STALE_REPLY_MARGIN_SECONDS;
  const spaces = await failStaleReplies(createDb(env), staleSeconds, failureNode("The reply stopped and could not be finished; ask again."));
  await enqueueNotices(env, spaces);
}
