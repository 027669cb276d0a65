/** The producer of bots' turns: after a post commits, one turn per bot there that should answer it. */
import type { Context } from "hono";
import type { BeingId, Intention, IntentionId } from "../../shared/entities.ts";
import type { BotInSpace } from "../db/queries/intentions.ts";
import type { AppEnv } from "../env.ts";
import { describeError } from "../log.ts";
import { contentText, mentionedIds } from "../../shared/content.ts";

/** One bot answering one post: a message on the `spaces-bots` queue. */
export interface BotTurn {
  space: BeingId;
  bot: BeingId;
  /** The post it answers, and its author (who may stop the reply). */
  trigger: IntentionId;
  asker: BeingId;
}

const wordChar = /[\p{L}\p{N}_]/u;

/** Whether `text` names the bot: its id anywhere, or its name as a whole word (either with or without "@"); any case. */
export function mentions(text: string, bot: Pick<BotInSpace, "id" | "name">): boolean {
  const haystack = text.toLowerCase();
  if (haystack.includes(bot.id.toLowerCase())) return true;
  const name = bot.name.trim().toLowerCase();
  if (!name) return false;
  for (let at = haystack.indexOf(name); at >= 0; at = haystack.indexOf(name, at + 1)) {
    const before = haystack[at - 1];
    const after = haystack[at + name.length];
    if ((!before || !wordChar.test(before)) && (!after || !wordChar.test(after))) return true;
  }
  return false;
}

/** The turns a post calls for: every bot replying to all, and those replying to mentions that it mentions (a mention node) or names. */
export function turnsFor(post: Intention, bots: readonly BotInSpace[]): BotTurn[] {
  const text = contentText(post.content);
  const mentioned = new Set(mentionedIds(post.content));
  return bots
    .filter((bot) => bot.replyTo === "all" || mentioned.has(bot.id) || mentions(text, bot))
    .map((bot) => ({ space: post.locationId, bot: bot.id, trigger: post.id, asker: post.ownerId }));
}

/**
 * The reply's id, derived from the turn (a hash of the post and the bot), so that every attempt of a
 * turn, and a duplicate delivery of it, writes the same row.
 */
export async function replyIdOf(turn: Pick<BotTurn, "trigger" | "bot">): Promise<IntentionId> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${turn.trigger} ${turn.bot}`)));
  const text = btoa(String.fromCharCode(...digest.slice(0, 18))).replace(/\+/g, "-").replace(/\//g, "_");
  return `/reply-${text}` as IntentionId;
}

/** Enqueues turns; a refusal of the queue is logged. */
async function enqueueTurns(env: Pick<Env, "BOT_QUEUE">, turns: readonly BotTurn[]): Promise<void> {
  try {
    // A post meets at most the bots in one space: far fewer than sendBatch's 100 messages.
    await env.BOT_QUEUE.sendBatch(turns.map((body) => ({ body, contentType: "json" as const })));
  } catch (error) {
    console.error(JSON.stringify({ level: "warn", event: "bot_enqueue_failed", turns: turns.length, error: describeError(error) }));
  }
}

/** After a post commits: its bots' turns, handed to the runtime after the response. */
export function answerAfterCommit(c: Context<AppEnv>, post: Intention, bots: readonly BotInSpace[]): void {
  const turns = turnsFor(post, bots);
  if (turns.length > 0) c.executionCtx.waitUntil(enqueueTurns(c.env, turns));
}
