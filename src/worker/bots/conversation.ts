/** What a bot's model is sent: its prompt, then the recent conversation, bounded by an estimate of tokens. */
import type { BeingId } from "../../shared/entities.ts";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** One message of the space's history, as the turn reads it. */
export interface HistoryEntry {
  ownerId: BeingId;
  ownerName: string;
  text: string;
  /** The message the post answered replies to, placed before it (see `withOriginal`). */
  original?: boolean;
}

/**
 * The history with the message the post replies to just before the post, when it is not in the
 * history already: a reply to something said long ago is answered knowing what it answers. Next to the
 * post it is the last to be trimmed by the budget.
 */
export function withOriginal<Entry extends HistoryEntry & { id: string }>(history: readonly Entry[], original: Entry | null): Entry[] {
  if (!original || history.some((entry) => entry.id === original.id)) return [...history];
  return [...history.slice(0, -1), { ...original, original: true }, ...history.slice(-1)];
}

/**
 * Tokens a text will cost, estimated: about four characters a token in English (OpenAI's rule of
 * thumb) plus a few for the message's framing. A tokenizer per model would be exact, and heavy.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

/**
 * The chat: the bot's prompt as the system message, then the newest history that fits `budget`
 * tokens, oldest first. The bot's own earlier replies are its assistant turns; everyone else speaks
 * as the user, their name first, since a space holds many people. The last entry (the post being
 * answered) is always sent, cut to fit if it must be.
 */
export function buildConversation(bot: { id: BeingId; name: string; prompt: string }, history: readonly HistoryEntry[], budget: number): ChatMessage[] {
  const system = `${bot.prompt.trim()}\n\nYou are ${bot.name}, in a conversation with several people. Their messages start with their names.`.trim();
  let left = budget - estimateTokens(system);
  const picked: ChatMessage[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i]!;
    const mine = entry.ownerId === bot.id;
    const said = mine ? entry.text : `${entry.ownerName}: ${entry.text}`;
    let content = entry.original ? `(The message being replied to) ${said}` : said;
    if (!content.trim()) continue;
    const cost = estimateTokens(content);
    if (cost > left) {
      if (picked.length > 0) break;
      content = content.slice(0, Math.max(0, (left - 4) * 4));
    }
    left -= estimateTokens(content);
    picked.push({ role: mine ? "assistant" : "user", content });
  }
  return [{ role: "system", content: system }, ...picked.reverse()];
}
