/** What a message's content needs from the conversation it is shown in: names, the messages loaded, and ways to act on them. */
import { createContext } from "solid-js";
import type { BeingId, Intention, IntentionId } from "../../shared/entities.ts";

export interface ConversationFacts {
  /** Who is reading: a message that mentions them is marked. */
  meId?: BeingId;
  /** A being's current name, if the conversation knows it (else a mention shows the text it was written with). */
  nameOf(id: BeingId): string | undefined;
  /** A loaded message of this conversation. */
  intention(id: IntentionId): Intention | undefined;
  /** The name shown for an author. */
  author(id: BeingId): string;
  /** Shows a message in its place, loading older history until it is there. */
  jumpTo(id: IntentionId): void;
  /**
   * Whether a message is among the newest few, on screen when the conversation opens at its end: their pictures
   * load at once (the largest of them is what the page's first screen waits for), the rest only when scrolled to.
   */
  isNewest(id: IntentionId): boolean;
}

/** Provided by the message list, around every message. */
export const ConversationContext = createContext<ConversationFacts>();
