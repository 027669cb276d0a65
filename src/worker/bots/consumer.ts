/** The bots' queue consumer: hands each turn to its runner (src/worker/bots/runner.ts), which streams the reply. */
import { object } from "zod";
import { beingId, intentionId } from "../../shared/schemas.ts";
import { describeError } from "../log.ts";
import { startTurn } from "./runner.ts";

/** The bots' queue (wrangler.toml); the Worker's queue handler sends its batches here. */
export const BOT_QUEUE_NAME = "spaces-bots";

const botTurn = object({ space: beingId, bot: beingId, trigger: intentionId, asker: beingId });

/** Handles a batch of turns in moments: a turn that could not be handed over is retried by the queue. */
export async function handleBotBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = botTurn.safeParse(message.body);
      if (!parsed.success) {
        console.error(JSON.stringify({ event: "bot_turn_malformed", id: message.id }));
        return message.ack();
      }
      try {
        await startTurn(env, parsed.data);
        message.ack();
      } catch (error) {
        console.error(JSON.stringify({ event: "bot_turn_handover_failed", ...parsed.data, error: describeError(error) }));
        message.retry({ delaySeconds: message.attempts });
      }
    }),
  );
}
