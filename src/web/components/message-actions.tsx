/**
 * A message's actions: on any, Reply; on my own, Edit and Delete; on someone else's that the space's moderation facts
 * let me remove (I own the space or the bot that wrote it, or I am a superuser), Remove. Both ask first.
 */
import { createSignal, Show } from "solid-js";

export interface MessageActionsProps {
  /** Starts a reply to the message (absent: no Reply). */
  onReply?(): void;
  /** Absent: the message is not mine to edit, and its removal is a moderator's ("Remove"). */
  onEdit?(): void;
  /** Absent: the message is not mine to delete nor mine to remove. */
  onDelete?(): void;
  /** The Edit button, where focus goes back when editing ends. */
  editRef?(button: HTMLButtonElement): void;
}

/** The row of links under a message; Delete and Remove ask first. */
export function MessageActions(props: MessageActionsProps) {
  const [confirmingDelete, setConfirmingDelete] = createSignal(false);
  const verb = () => (props.onEdit ? "Delete" : "Remove");
  const remove = () => {
    setConfirmingDelete(false);
    props.onDelete?.();
  };
  return (
    <div class="message-actions">
      <Show
        when={confirmingDelete()}
        fallback={
          <>
            <Show when={props.onReply}>
              {(onReply) => (
                <button type="button" class="link-button" onClick={() => onReply()()} aria-label="Reply to message">
                  Reply
                </button>
              )}
            </Show>
            <Show when={props.onEdit}>
              {(onEdit) => (
                <button type="button" class="link-button" ref={props.editRef} onClick={() => onEdit()()} aria-label="Edit message">
                  Edit
                </button>
              )}
            </Show>
            <Show when={props.onDelete}>
              <button type="button" class="link-button" onClick={() => setConfirmingDelete(true)} aria-label={`${verb()} message`}>
                {verb()}
              </button>
            </Show>
          </>
        }
      >
        <span>{props.onEdit ? "Delete this message?" : "Remove this message for everyone?"}</span>
        <button type="button" class="link-button danger" onClick={remove}>
          {verb()}
        </button>
        <button type="button" class="link-button" onClick={() => setConfirmingDelete(false)}>
          Keep
        </button>
      </Show>
    </div>
  );
}
