/** A confirmed message; its owner can edit or delete it in place. */
import { createSignal, Show } from "solid-js";
import type { Intention } from "../../shared/entities.ts";
import { MAX_TEXT_LENGTH } from "../../shared/schemas.ts";
import { deleteIntention, patchIntention } from "../api.ts";
import { contentText } from "../../shared/content.ts";
import { Markdown } from "./markdown.tsx";
import { MessageFrame } from "./message-frame.tsx";
import { MessageInput } from "./message-input.tsx";

export interface IntentionRowProps {
  intention: Intention;
  author: string;
  mine: boolean;
  startsGroup: boolean;
  /** A write's answer, for the store (the broadcast may come later or not at all while polling). */
  onSaved(intention: Intention, seq: number): void;
  onDeleted(id: Intention["id"]): void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One message of the conversation. */
export function IntentionRow(props: IntentionRowProps) {
  const [draft, setDraft] = createSignal<string>();
  const [confirmingDelete, setConfirmingDelete] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const text = () => contentText(props.intention.content);
  const edited = () => props.intention.modifiedAt.getTime() - props.intention.createdAt.getTime() > 1_000;
  let editButton: HTMLButtonElement | undefined;

  const startEditing = () => {
    setError(undefined);
    setDraft(text());
  };
  const stopEditing = () => {
    setDraft(undefined);
    editButton?.focus();
  };
  const save = async () => {
    const content = draft()?.trim() ?? "";
    if (!content || content.length > MAX_TEXT_LENGTH) return setError(`A message is 1 to ${MAX_TEXT_LENGTH} characters.`);
    if (content === text()) return stopEditing();
    setBusy(true);
    try {
      const result = await patchIntention(props.intention.id, { content: [content] });
      props.onSaved(result.intention, result.seq);
      stopEditing();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await deleteIntention(props.intention.id);
      props.onDeleted(props.intention.id);
    } catch (failure) {
      setError(messageOf(failure));
      setConfirmingDelete(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <MessageFrame
      ownerId={props.intention.ownerId}
      author={props.author}
      mine={props.mine}
      startsGroup={props.startsGroup}
      time={props.intention.createdAt}
      state={props.intention.type === "error" ? "error" : undefined}
    >
      <Show
        when={draft() !== undefined}
        fallback={
          <>
            <Markdown text={text()} class="markdown message-body" />
            <Show when={edited()}>
              <span class="message-edited">(edited)</span>
            </Show>
          </>
        }
      >
        <form
          class="message-edit"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <MessageInput
            label="Edit message"
            value={draft() ?? ""}
            onInput={setDraft}
            onSubmit={() => void save()}
            onCancel={stopEditing}
            ref={(element) => queueMicrotask(() => element.focus())}
          />
          <div class="message-edit-actions">
            <button type="submit" class="button small" disabled={busy()}>
              Save
            </button>
            <button type="button" class="button small quiet" onClick={stopEditing}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
      <Show when={error()}>
        <p class="message-status" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={props.mine && draft() === undefined}>
        <div class="message-actions">
          <Show
            when={confirmingDelete()}
            fallback={
              <>
                <button type="button" class="link-button" ref={editButton} onClick={startEditing} aria-label="Edit message">
                  Edit
                </button>
                <button type="button" class="link-button" onClick={() => setConfirmingDelete(true)} aria-label="Delete message">
                  Delete
                </button>
              </>
            }
          >
            <span>Delete this message?</span>
            <button type="button" class="link-button danger" disabled={busy()} onClick={() => void remove()}>
              Delete
            </button>
            <button type="button" class="link-button" onClick={() => setConfirmingDelete(false)}>
              Keep
            </button>
          </Show>
        </div>
      </Show>
    </MessageFrame>
  );
}
