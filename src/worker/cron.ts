/** The cron (wrangler.toml: every minute): the sync sweep, the bots' upkeep, the push sweep and the attachments' sweep, side by side. */
import { failStaleBotReplies } from "./bots/upkeep.ts";
import { sweepAttachments } from "./files/store.ts";
import { describeError } from "./log.ts";
import { sweepUntakenNotifications } from "./push/consumer.ts";
import { sweep } from "./sync/sweeper.ts";

/** Each part of a run, by the event its failure is logged as. */
const PARTS: ReadonlyArray<readonly [event: string, run: (env: Env) => Promise<unknown>]> = [
  ["sync_sweep", sweep],
  ["bot_stale_replies", failStaleBotReplies],
  ["push_sweep", sweepUntakenNotifications],
  ["attachments_sweep", sweepAttachments],
];

/** One cron run: every part at once; a part that fails is logged and does not stop the others. */
export async function runCron(env: Env): Promise<void> {
  await Promise.all(
    PARTS.map(([event, run]) =>
      run(env).catch((error) => console.error(JSON.stringify({ event, outcome: "failed", error: describeError(error) }))),
    ),
  );
}
