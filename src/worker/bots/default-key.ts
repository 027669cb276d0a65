/**
 * Replies on the operator's default provider key (BOT_DEFAULT_API_KEY), for bots whose owners set none:
 * each is paid for from two daily budgets of tokens, the asker's and everyone's, so a stranger cannot
 * spend the operator's money without bound. A reply reserves the most it may cost before it streams
 * and settles to what the provider reports after (an estimate when it reports nothing).
 */
import type { BeingId } from "../../shared/entities.ts";
import type { Db } from "../db/client.ts";
import { reserveSharedTokens, settleSharedTokens, type Reservation } from "../db/queries/shared-key-usage.ts";
import type { BotSettings } from "../settings.ts";
import { estimateTokens, messageTokens, type ChatMessage } from "./conversation.ts";

/** Tokens a conversation costs, estimated: what it sends and what came back. */
export function estimatedCost(messages: readonly ChatMessage[], reply: string): number {
  return messages.reduce((sum, message) => sum + messageTokens(message.content), 0) + (reply ? estimateTokens(reply) : 0);
}

/** What a reply says when a daily limit of the default key stopped it. */
export function dailyLimitReason(limit: "being" | "project", settings: BotSettings): string {
  const whose =
    limit === "being"
      ? `${settings.defaultKeyTokensPerBeing.toLocaleString("en")} tokens a day on the questions of one person, and yours for today are used up`
      : `${settings.defaultKeyTokens.toLocaleString("en")} tokens a day for everyone together, and today's are used up`;
  return (
    `Stopped by the daily limit: this bot has no API key of its own and uses this server's shared one, which spends at most ${whose}. ` +
    "It renews at midnight UTC; the bot's owner can also give the bot a key of its own."
  );
}

/** Reserves a reply's most costly outcome for `asker`, or answers why a daily limit refuses it. */
export async function reserveReply(db: Db, asker: BeingId, messages: readonly ChatMessage[], settings: BotSettings): Promise<Reservation | { reason: string }> {
  const most = estimatedCost(messages, "x".repeat(settings.maxReplyChars));
  const reserved = await reserveSharedTokens(db, asker, most, { perBeing: settings.defaultKeyTokensPerBeing, perProject: settings.defaultKeyTokens });
  return "refused" in reserved ? { reason: dailyLimitReason(reserved.refused, settings) } : reserved;
}

/** Settles a reservation to what the reply cost: the provider's count, else the estimate. */
export function settleReply(db: Db, reservation: Reservation, reported: number | undefined, messages: readonly ChatMessage[], reply: string): Promise<void> {
  return settleSharedTokens(db, reservation, reported ?? estimatedCost(messages, reply));
}
