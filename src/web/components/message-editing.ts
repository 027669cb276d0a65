/**
 * Editing one of my messages in place: the draft, its check, and the save handed to the conversation's edits,
 * with the version of the message the draft started from (so a change made meanwhile is a conflict, not lost).
 */
import { createSignal } from "solid-js";
import type { ContentNode, IntentionId } from "../../shared/entities.ts";
import { MAX_TEXT_LENGTH } from "../../shared/limits.ts";
import type { Edits } from "../sync/edits.ts";
import { draftContent, draftOf } from "./draft.ts";

export interface MessageEditingOptions {
  id(): IntentionId;
  /** The content shown now: a draft starts from its text, keeping its mentions and reply; a draft left the same is not saved. */
  content(): readonly ContentNode[];
  /** The message's version now: a draft opened now is based on it. */
  version(): number | undefined;
  edits: Edits;
  /** Says what is wrong with the draft (undefined: nothing). */
  setError(message: string | undefined): void;
  /** Puts focus back where editing began, once the form closes. */
  returnFocus(): void;
}

/** The draft is undefined while the message is not being edited. */
export function createMessageEditing(options: MessageEditingOptions) {
  const [draft, setDraft] = createSignal<string>();
  let base: number | undefined;
  let opened = draftOf([]);
  const open = (content: readonly ContentNode[]) => {
    options.setError(undefined);
    base = options.version();
    opened = draftOf(content);
    setDraft(opened.text);
  };
  const close = () => {
    setDraft(undefined);
    options.returnFocus();
  };
  const save = () => {
    const next = draft()?.trim() ?? "";
    if (!next || next.length > MAX_TEXT_LENGTH) return options.setError(`A message is 1 to ${MAX_TEXT_LENGTH} characters.`);
    options.setError(undefined);
    if (next !== opened.text) void options.edits.edit(options.id(), draftContent(next, opened.picked, opened.replyTo), base);
    close();
  };
  /** Forgets the refusal (or conflict) of `refused` and opens its text again, based on the message as it is now. */
  const editAgain = (refused: ContentNode[]) => {
    options.edits.dismiss(options.id());
    open(refused);
  };
  return { draft, setDraft, start: () => open(options.content()), close, save, editAgain };
}
