/** The bots' queue consumer: each message is one turn, run at once with the others of its batch. */
import { object } from "zod";
import { beingId, intentionId } from "../../shared/schemas.ts";
import { createDb } from "../db/client.ts";
import { describeError } from "../log.ts";
import { botSettings } from "./settings.ts";
import { failTurn, runTurn, type TurnReport } from "./turn.ts";
import { enqueueTurns, type BotTurn } from "./turns.ts";
import { scrubSecret } from "./secrets.ts";

/** The bots' queue (wrangler.toml); the Worker's queue handler sends its batches here. */
export const BOT_QUEUE_NAME = "spaces-bots";

/**
 * Deliveries of one turn, first included: wrangler.toml's `max_retries` for spaces-bots plus one. The
 * last one that breaks ends the reply `failed` instead of leaving it active.
 */
export const TURN_ATTEMPTS = 3;

/** A turn the concurrency limits held back waits this long before it is tried again. */
export const DEFERRED_TURN_SECONDS = 2;

const botTurn = object({ space: beingId, bot: beingId, trigger: intentionId, asker: beingId });

/** Logs one line of JSON per turn; everything in it is scrubbed of the bot's key. */
function logTurn(turn: BotTurn, startedAt: number, report: Partial<TurnReport>, attempt: number, error?: unknown): void {
  const { secret, ...fields } = report;
  const line = JSON.stringify({
    event: "bot_turn", ...turn, attempt, ...fields, ms: Date.now() - startedAt,
    ...(error ? { error: describeError(error) } : {}),
  });
  (error ? console.error : console.log)(scrubSecret(line, secret));
}

/**
 * Handles a batch of turns. A turn that throws is retried (with backoff) on the same reply row; its
 * last attempt ends the reply `failed`. A turn held back by the limits is re-enqueued later and acked.
 */
export async function handleBotBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const settings = botSettings(env);
  const db = createDb(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = botTurn.safeParse(message.body);
      if (!parsed.success) {
        console.error(JSON.stringify({ event: "bot_turn_malformed", id: message.id }));
        return message.ack();
      }
      const turn = parsed.data;
      const startedAt = Date.now();
      let report: Partial<TurnReport> = {};
      try {
        report = await runTurn(db, env, settings, turn, (secret) => (report.secret = secret));
        if (report.outcome === "deferred" && !(await enqueueTurns(env, [turn], DEFERRED_TURN_SECONDS))) {
          return message.retry({ delaySeconds: DEFERRED_TURN_SECONDS });
        }
        message.ack();
        logTurn(turn, startedAt, report, message.attempts);
      } catch (error) {
        const last = message.attempts >= TURN_ATTEMPTS;
        logTurn(turn, startedAt, { ...report, outcome: last ? "failed" : undefined }, message.attempts, error);
        if (!last) return message.retry({ delaySeconds: message.attempts });
        await failTurn(db, env, turn, "The reply broke off and could not be finished; ask again.").catch((failure: unknown) =>
          console.error(JSON.stringify({ event: "bot_turn_fail_failed", error: describeError(failure) })),
        );
        message.ack();
      }
    }),
  );
}
