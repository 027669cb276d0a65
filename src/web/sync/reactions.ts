/**
 * My reactions, optimistic as edits are (edits.ts): a toggle shows at once, while its request is under way;
 * the server's answer (the message with every reaction) settles it in the store, and everyone else gets the
 * same message from its change. A refusal rolls the toggle back and says why. The space's store makes one.
 */
import { batch } from "solid-js";
import { createStore, produce } from "solid-js/store";
import type { BeingId, Intention, IntentionId, Reaction } from "../../shared/entities.ts";
import { errorMessage } from "../../shared/errors.ts";
import { react } from "../api.ts";
import { unrelayed, type Relayer } from "./relay.ts";

/** A message's reactions with mine set as `on` says for `emoji` (the order kept; a new emoji goes last). */
export function withMine(reactions: readonly Reaction[], me: BeingId, emoji: string, on: boolean): Reaction[] {
  const others = (reaction: Reaction) => reaction.by.filter((id) => id !== me);
  const shown = reactions.map((reaction) =>
    reaction.emoji === emoji ? { emoji, by: on ? [...others(reaction), me] : others(reaction) } : reaction,
  );
  if (on && !reactions.some((reaction) => reaction.emoji === emoji)) shown.push({ emoji, by: [me] });
  return shown.filter((reaction) => reaction.by.length > 0);
}

/** My toggles under way on one message (emoji → on), and why the last one was refused. */
interface MessageReactions {
  toggling: Record<string, boolean>;
  refused?: string;
}

export interface Reactions {
  /** The message's reactions as I should see them: the server's, with my toggles under way. */
  shown(intention: Intention, me: BeingId): Reaction[];
  /** Why my last toggle on the message was refused, if it was. */
  refused(id: IntentionId): string | undefined;
  /** Adds my reaction `emoji` or takes it back; resolves once settled or rolled back. */
  toggle(intention: Intention, me: BeingId, emoji: string): Promise<void>;
}

export interface ReactionsOptions {
  /** The message the server answered with, for the store (its change may come later, or not while polling). */
  onSaved(intention: Intention, seq: number): void;
  /** What sends the writes: the conversation's relay (relay.ts); by default, none. */
  relayer?: Relayer;
}

/** Creates the optimistic reactions of one conversation. */
export function createReactions(options: ReactionsOptions): Reactions {
  const [states, setStates] = createStore<Partial<Record<IntentionId, MessageReactions>>>({});
  const update = (id: IntentionId, change: (state: MessageReactions) => void) =>
    setStates(produce((draft) => change((draft[id] ??= { toggling: {} }))));
  const relay = options.relayer ?? unrelayed;

  const shown = (intention: Intention, me: BeingId) => {
    const toggling = states[intention.id]?.toggling ?? {};
    return Object.entries(toggling).reduce((list, [emoji, on]) => withMine(list, me, emoji, on), intention.reactions ?? []);
  };

  return {
    shown,
    refused: (id) => states[id]?.refused,
    async toggle(intention, me, emoji) {
      const { id } = intention;
      // One toggle of an emoji at a time: a second press while the first is under way would race it.
      if (states[id]?.toggling[emoji] !== undefined) return;
      const on = !shown(intention, me).some((reaction) => reaction.emoji === emoji && reaction.by.includes(me));
      update(id, (state) => {
        state.toggling[emoji] = on;
        state.refused = undefined;
      });
      try {
        const result = await relay((send) => react(id, emoji, on, send));
        // The server's message replaces the optimistic one in one update, so nothing flickers.
        batch(() => {
          options.onSaved(result.intention, result.seq);
          update(id, (state) => delete state.toggling[emoji]);
        });
      } catch (error) {
        update(id, (state) => {
          delete state.toggling[emoji];
          state.refused = errorMessage(error);
        });
      }
    },
  };
}
