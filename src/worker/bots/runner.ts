/**
 * Where a turn runs: one Durable Object per reply, the stream inside its alarm.
 *
 * Why not in the queue consumer: a reply streams for seconds to minutes, and a Worker invocation has
 * at most six connections open at once. Turns run in the consumer shared them (and the local runtime
 * ran one batch at a time), so the tenth reply of a busy minute began after the first ones ended
 * (docs/benchmarks.md). Each object's alarm is an invocation of its own: every reply gets its own
 * provider stream and database connections, and the queue only hands turns over.
 *
 * Retries are the object's own: the attempt is counted in storage before the turn runs, so a turn that
 * throws, or whose isolate dies mid-stream (the runtime re-runs an unfinished alarm), is tried again on
 * the same reply row (its id comes from the turn), and the last attempt ends the reply `failed`.
 */
import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client.ts";
import { describeError } from "../log.ts";
import { botSettings } from "../settings.ts";
import { scrubSecret } from "./secrets.ts";
import { failTurn, runTurn, type TurnReport } from "./reply.ts";
import { replyIdOf, type BotTurn } from "./who-answers.ts";

/** Attempts of one turn, first included; the last one that breaks ends the reply `failed` instead of leaving it active. */
export const TURN_ATTEMPTS = 3;

/** A turn the concurrency limits held back is tried again after this long. */
export const DEFERRED_TURN_SECONDS = 2;

/** Hands a turn to its runner; a second delivery of the same turn finds it already there. */
export async function startTurn(env: Pick<Env, "BOT_TURNS">, turn: BotTurn): Promise<void> {
  await env.BOT_TURNS.getByName(await replyIdOf(turn)).start(turn);
}

/** Logs one line of JSON per attempt; everything in it is scrubbed of the bot's key. */
function logTurn(turn: BotTurn, startedAt: number, report: Partial<TurnReport>, attempt: number, error?: unknown): void {
  const { secret, ...fields } = report;
  const line = JSON.stringify({
    event: "bot_turn", ...turn, attempt, ...fields, ms: Date.now() - startedAt,
    ...(error ? { error: describeError(error) } : {}),
  });
  (error ? console.error : console.log)(scrubSecret(line, secret));
}

export class TurnRunner extends DurableObject<Env> {
  /** Keeps the turn and runs it now, unless this runner already holds it. */
  async start(turn: BotTurn): Promise<void> {
    const storage = this.ctx.storage;
    if (await storage.get("turn")) return;
    await storage.put({ turn, attempts: 0 });
    await storage.setAlarm(Date.now());
  }

  async alarm(): Promise<void> {
    const storage = this.ctx.storage;
    const kept = await storage.get<BotTurn | number>(["turn", "attempts"]);
    const turn = kept.get("turn") as BotTurn | undefined;
    if (!turn) return;
    const attempts = ((kept.get("attempts") as number | undefined) ?? 0) + 1;
    await storage.put("attempts", attempts);
    const db = createDb(this.env);
    const startedAt = Date.now();
    let report: Partial<TurnReport> = {};
    try {
      // Past the last attempt (its isolate died): nothing is streamed again, the reply just ends.
      if (attempts > TURN_ATTEMPTS) throw new Error("attempts exhausted");
      report = await runTurn(db, this.env, botSettings(this.env), turn, (secret) => (report.secret = secret));
      logTurn(turn, startedAt, report, attempts);
      if (report.outcome === "deferred") {
        // Waiting for a free slot is not a failed attempt.
        await storage.put("attempts", attempts - 1);
        return storage.setAlarm(Date.now() + DEFERRED_TURN_SECONDS * 1000);
      }
    } catch (error) {
      const last = attempts >= TURN_ATTEMPTS;
      logTurn(turn, startedAt, { ...report, outcome: last ? "failed" : undefined }, attempts, error);
      if (!last) return storage.setAlarm(Date.now() + attempts * 1000);
      // Thrown again if the database is away, so that the runtime retries this alarm.
      await failTurn(db, this.env, turn, "The reply broke off and could not be finished; ask again.");
    }
    await storage.deleteAll();
  }
}
