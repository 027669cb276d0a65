/** What a bot's model is sent: its prompt, then the recent conversation, bounded by an estimate of tokens. */
import type { BeingId } from "../../shared/entities.ts";

/** A part of a message with pictures, in the OpenAI-compatible form (an image as a data URL, never a public address). */
export type ChatPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  /** Text, or text and images for a bot whose model accepts them. */
  content: string | ChatPart[];
}

/** One message of the space's history, as the turn reads it. */
export interface HistoryEntry {
  ownerId: BeingId;
  ownerName: string;
  text: string;
  /** The pictures attached to it, as data URLs, for a bot whose model accepts images. */
  images?: string[];
  /** The message the post answered replies to, placed before it (see `withOriginal`). */
  original?: boolean;
}

/**
 * The history with the message the post replies to just before the post, when it is not in the
 * history already: a reply to something said long ago is answered knowing what it answers. Next to the
 * post it is the last to be trimmed by the budget.
 */
export function withOriginal<Entry extends { id: string; original?: boolean }>(history: readonly Entry[], original: Entry | null): Entry[] {
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
 * Tokens one picture costs: OpenAI bills a 1024-px image at about 765 in high detail (85 in low), and other
 * providers are of that order; the budget counts the high figure.
 */
export const IMAGE_TOKENS = 765;

/** Tokens a message will cost, its pictures included. */
export function messageTokens(content: ChatMessage["content"]): number {
  if (typeof content === "string") return estimateTokens(content);
  return content.reduce((sum, part) => sum + (part.type === "text" ? estimateTokens(part.text) : IMAGE_TOKENS), 0);
}

/**
 * The chat: the bot's prompt as the system message, then the newest history that fits `budget`
 * tokens, oldest first. The bot's own earlier replies are its assistant turns; everyone else speaks
 * as the user, their name first, since a space holds many people. The last entry (the post being
 * answered) is always sent, cut to fit if it must be (its text; pictures that do not fit are left out).
 */
export function buildConversation(bot: { id: BeingId; name: string; prompt: string }, history: readonly HistoryEntry[], budget: number): ChatMessage[] {
  const system = `${bot.prompt.trim()}\n\nYou are ${bot.name}, in a conversation with several people. Their messages start with their names.`.trim();
  let left = budget - estimateTokens(system);
  const picked: ChatMessage[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i]!;
    const mine = entry.ownerId === bot.id;
    const said = mine ? entry.text : `${entry.ownerName}: ${entry.text}`;
    let text = entry.original ? `(The message being replied to) ${said}` : said;
    const images = mine ? [] : (entry.images ?? []);
    if (!text.trim() && images.length === 0) continue;
    if (estimateTokens(text) + images.length * IMAGE_TOKENS > left) {
      if (picked.length > 0) break;
      text = text.slice(0, Math.max(0, (left - 4) * 4));
    }
    left -= estimateTokens(text);
    const fitting = images.slice(0, Math.max(0, Math.floor(left / IMAGE_TOKENS)));
    left -= fitting.length * IMAGE_TOKENS;
    const content: ChatMessage["content"] =
      fitting.length === 0 ? text : [{ type: "text", text }, ...fitting.map((url): ChatPart => ({ type: "image_url", image_url: { url } }))];
    picked.push({ role: mine ? "assistant" : "user", content });
  }
  return [{ role: "system", content: system }, ...picked.reverse()];
}
