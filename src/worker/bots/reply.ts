/**
 * One bot answering one post: the reply is created `active` at once, rewritten as the model streams,
 * and ends `complete`, `failed` (a readable reason, no secret) or `cancelled` (by someone allowed to stop it).
 *
 * Writes are throttled: the text grows in memory and is written at most once per `writeIntervalMs`
 * (400 ms by default), whatever the provider's token rate. Each write is one UPDATE, one change row,
 * one sync notice and at most one LiveKit call (fewer when the budget coalesces them), so a reply of
 * any length costs about duration ÷ interval of each, and receivers see it grow 2–3 times a second,
 * which reads as live. Every write is `WHERE state = 'active'`, and when no text came the tick checks the
 * state instead: a cancel is seen within one interval and the stream aborted at once.
 */
import type { ContentNode, IntentionId } from "../../shared/entities.ts";
import { contentText } from "../../shared/content.ts";
import type { Db } from "../db/client.ts";
import { failReply, replyIsActive, startReply, writeReply, type HistoryRow } from "../db/queries/replies.ts";
import type { BotSettings } from "../settings.ts";
import { enqueueNotices } from "../sync/notify.ts";
import { buildConversation, withOriginal } from "./conversation.ts";
import { picturesOf } from "./pictures.ts";
import { ProviderError, streamCompletion } from "./provider.ts";
import { reserveReply, settleReply } from "./default-key.ts";
import { botApiKey, scrubSecret } from "./secrets.ts";
import { replyIdOf, type BotTurn } from "./who-answers.ts";

/** How a turn ended; `deferred` means the concurrency limits held it back (it should be tried again later). */
export type TurnOutcome = "complete" | "failed" | "cancelled" | "deferred" | "skipped";

export interface TurnReport {
  outcome: TurnOutcome;
  reply: IntentionId;
  writes: number;
  chars: number;
  /** Why it failed, readable and scrubbed of the key. */
  reason?: string;
  /** The key, to scrub anything the caller logs; never logged itself. */
  secret?: string;
}

/** The content node that says why a reply failed (after whatever text it had). */
export function failureNode(reason: string): ContentNode {
  return { type: "failure", props: { reason } };
}

/** What a bot with no provider says, so that a person knows what to do. */
export const UNCONFIGURED =
  "This bot has no model provider configured. The server's operator sets BOT_API_BASE_URL to an OpenAI-compatible API " +
  "(OpenRouter: https://openrouter.ai/api/v1, a local Ollama: http://127.0.0.1:11434/v1), and the bot's owner sets its model " +
  "and API key in the bot's settings (any text for a local server that needs none), or the operator sets BOT_DEFAULT_API_KEY for bots without one.";

type TurnEnv = Pick<Env, "SYNC_QUEUE" | "FILES"> & Partial<Pick<Env, "BOT_SECRETS_KEY" | "BOT_DEFAULT_API_KEY">>;

/** Runs one turn; `onSecret` hears the key, so a caller can scrub what it logs even if the turn throws. Throws when the turn broke (network, database): its runner retries it, and the same reply row carries on. */
export async function runTurn(db: Db, env: TurnEnv, settings: BotSettings, turn: BotTurn, onSecret?: (secret: string) => void): Promise<TurnReport> {
  const reply = await replyIdOf(turn);
  const start = await startReply(db, turn, reply, settings);
  const report: TurnReport = { outcome: "skipped", reply, writes: 0, chars: 0 };
  if (start.created) await enqueueNotices(env, [turn.space]);
  if (start.state === null) return { ...report, outcome: start.bot ? "deferred" : "skipped" };
  if (start.state !== "active" || !start.bot) return report;

  const notify = () => enqueueNotices(env, [turn.space]);
  const finish = async (outcome: TurnOutcome, content: ContentNode[], reason?: string): Promise<TurnReport> => {
    const state = outcome === "complete" ? "complete" : "failed";
    const written = await writeReply(db, reply, content, state);
    report.writes += 1;
    if (written) await notify();
    return { ...report, outcome: written ? outcome : "cancelled", reason };
  };

  const { model, prompt = "" } = start.bot.config;
  const { source, apiKey } = await botApiKey(env, turn.bot, start.sealedKey);
  if (!settings.apiBaseUrl || !apiKey || !model) return finish("failed", [failureNode(UNCONFIGURED)], "unconfigured");
  report.secret = apiKey;
  onSecret?.(apiKey);

  const shown = withOriginal(start.history, start.original);
  // Only a model that accepts images is sent them; the bot's own replies carry none.
  const pictures = start.bot.config.images ? await picturesOf(env.FILES, shown.filter((row) => row.ownerId !== turn.bot)) : new Map();
  const history = shown.map((row) => ({ ...row, text: contentText(row.content), images: pictures.get(row.id) }));
  const messages = buildConversation({ id: turn.bot, name: start.bot.name, prompt }, history, settings.contextTokens);
  // The operator's key is paid for from daily budgets (./default-key.ts); an owner's own key is not counted.
  const reservation = source === "default" ? await reserveReply(db, turn.asker, messages, settings) : undefined;
  if (reservation && "reason" in reservation) return finish("failed", [failureNode(reservation.reason)], "daily limit");
  let reported: number | undefined;

  const controller = new AbortController();
  let stopped: "stalled" | "cancelled" | "long" | null = null;
  const stop = (why: NonNullable<typeof stopped>) => {
    stopped ??= why;
    controller.abort();
  };
  let stall: ReturnType<typeof setTimeout> | undefined;
  const watchStall = () => {
    if (stall !== undefined) clearTimeout(stall);
    stall = setTimeout(() => stop("stalled"), settings.stallSeconds * 1000);
  };

  let text = "";
  let written = "";
  let writing: Promise<void> | null = null;
  let writeError: unknown;
  const tick = () => {
    if (writing || stopped) return;
    const snapshot = text;
    writing = (async () => {
      const active = snapshot === written ? await replyIsActive(db, reply) : await writeReply(db, reply, [snapshot]);
      if (snapshot !== written) {
        report.writes += 1;
        written = snapshot;
        if (active) await notify();
      }
      if (!active) stop("cancelled");
    })()
      .catch((error: unknown) => {
        writeError ??= error;
        controller.abort();
      })
      .finally(() => (writing = null));
  };
  const ticker = setInterval(tick, settings.writeIntervalMs);

  let failure: string | undefined;
  try {
    watchStall();
    const onUsage = reservation ? (tokens: number) => (reported = tokens) : undefined;
    for await (const delta of streamCompletion({ baseUrl: settings.apiBaseUrl, apiKey, model, messages, signal: controller.signal, onUsage })) {
      watchStall();
      text += delta;
      if (text.length >= settings.maxReplyChars) {
        text = text.slice(0, settings.maxReplyChars);
        stop("long");
        break;
      }
    }
  } catch (error) {
    if (error instanceof ProviderError) failure = scrubSecret(error.message, apiKey);
    // The stream broke (network, a crash of the provider): thrown, so the runner retries the turn on the same reply.
    else if (!stopped && !writeError) throw error;
  } finally {
    if (stall !== undefined) clearTimeout(stall);
    clearInterval(ticker);
    await writing;
    if (reservation) await settleReply(db, reservation, reported, messages, text);
  }
  if (writeError) throw writeError;
  report.chars = text.length;
  if (failure) return finish("failed", withFailure(text, failure), failure);
  if (stopped === "cancelled") return { ...report, outcome: "cancelled" };
  if (stopped === "stalled") return finish("failed", withFailure(text, `The model stopped responding for ${settings.stallSeconds} s.`), "stalled");
  return finish("complete", [text]);
}

/** A failed reply's content: its text so far, then why it failed. */
export function withFailure(text: string, reason: string): ContentNode[] {
  return text ? [text, failureNode(reason)] : [failureNode(reason)];
}

/** Ends a reply `failed` when its turn has kept breaking (the runner's last attempt); a no-op when it is not active. */
export async function failTurn(db: Db, env: Pick<Env, "SYNC_QUEUE">, turn: BotTurn, reason: string): Promise<void> {
  if (await failReply(db, await replyIdOf(turn), failureNode(reason))) await enqueueNotices(env, [turn.space]);
}
