/**
 * Optimistic edits and deletes of confirmed messages, as posting is optimistic (outbox.ts): an edit
 * shows its new content and a delete hides its row at once, while the request is under way. The
 * server's answer settles it (its row goes to the store); a refusal rolls it back visibly: the row
 * shows what the server holds again, with the reason. Unlike a post nothing is queued: an edit that
 * cannot reach the server is rolled back at once, so what the reader sees is never a guess for long.
 * An edit names the version it started from (ifVersion): when someone changed the message meanwhile the
 * server refuses it with the row as it is, and both texts stay on screen for the reader to settle.
 * The space's store (store.ts) makes one, and takes in what the server answers.
 */
import { batch } from "solid-js";
import { createStore, produce } from "solid-js/store";
import type { ContentNode, Intention, IntentionId } from "../../shared/entities.ts";
import { ApiError, errorMessage } from "../../shared/errors.ts";
import { deleteIntention, patchIntention } from "../api.ts";
import { unrelayed, type Relayer } from "./relay.ts";
import { conflictingRow } from "./conflict.ts";

/** An edit or a delete under way, or the last one refused or overtaken (with what it tried to write). */
export type EditState =
  | { status: "saving"; content: ContentNode[] }
  | { status: "deleting" }
  /** Someone changed the message since this edit began: `current` is their row, `content` the text not written. */
  | { status: "conflict"; content: ContentNode[]; current: Intention }
  | { status: "refused"; action: "edit"; content: ContentNode[]; error: string }
  | { status: "refused"; action: "delete"; error: string };

export interface Edits {
  /** What is under way or was refused for the intention, if anything. */
  of(id: IntentionId): EditState | undefined;
  /**
   * Shows `content` for the intention at once and saves it, if the row is still at `ifVersion` (the version
   * the edit started from; none: whatever it is); resolves once saved, rolled back or in conflict.
   */
  edit(id: IntentionId, content: ContentNode[], ifVersion: number | undefined): Promise<void>;
  /** Hides the intention at once and deletes it; resolves once deleted or rolled back. */
  remove(id: IntentionId): Promise<void>;
  /** Forgets a refusal its reader has seen, or a conflict settled by keeping their text. */
  dismiss(id: IntentionId): void;
}

export interface EditsOptions {
  /** The row the server answered an edit with, for the store (its broadcast may come later, or not while polling). */
  onSaved(intention: Intention, seq: number): void;
  /** The row as it is, from a conflict's answer, for the store (newer than what it holds, unless a broadcast was faster). */
  onConflict(current: Intention): void;
  /** A delete the server did, for the store. */
  onDeleted(id: IntentionId): void;
  /** What sends the writes: the conversation's relay (relay.ts); by default, none. */
  relayer?: Relayer;
}

/** Creates the optimistic edits of one conversation. */
export function createEdits(options: EditsOptions): Edits {
  const [states, setStates] = createStore<Partial<Record<IntentionId, EditState>>>({});
  // produce assigns: a plain setStates(id, next) would merge the previous state's fields into the next.
  const set = (id: IntentionId, state: EditState | undefined) =>
    setStates(
      produce((draft) => {
        if (state) draft[id] = state;
        else delete draft[id];
      }),
    );

  const relay = options.relayer ?? unrelayed;
  return {
    of: (id) => states[id],
    async edit(id, content, ifVersion) {
      set(id, { status: "saving", content });
      try {
        const result = await relay((send) => patchIntention(id, { content, ifVersion }, send));
        // The server's row replaces the optimistic one in one update, so nothing flickers.
        batch(() => {
          options.onSaved(result.intention, result.seq);
          set(id, undefined);
        });
      } catch (error) {
        const current = conflictingRow<Intention>(error);
        if (!current) return set(id, { status: "refused", action: "edit", content, error: errorMessage(error) });
        batch(() => {
          options.onConflict(current);
          set(id, { status: "conflict", content, current });
        });
      }
    },
    async remove(id) {
      set(id, { status: "deleting" });
      try {
        await relay((send) => deleteIntention(id, send));
      } catch (error) {
        // Not there (someone else deleted it first): gone, as its reader wanted.
        if (!(error instanceof ApiError && error.code === "NOT_FOUND")) {
          return set(id, { status: "refused", action: "delete", error: errorMessage(error) });
        }
      }
      batch(() => {
        options.onDeleted(id);
        set(id, undefined);
      });
    },
    dismiss(id) {
      const status = states[id]?.status;
      if (status === "refused" || status === "conflict") set(id, undefined);
    },
  };
}
