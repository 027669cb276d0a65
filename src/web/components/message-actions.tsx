/** My message's own actions: Edit, and Delete after a confirmation. */
import { createSignal, Show } from "solid-js";

export interface MessageActionsProps {
  onEdit(): void;
  onDelete(): void;
  /** The Edit button, where focus goes back when editing ends. */
  editRef(button: HTMLButtonElement): void;
}

/** The row of links under my message; Delete asks first. */
export function MessageActions(props: MessageActionsProps) {
  const [confirmingDelete, setConfirmingDelete] = createSignal(false);
  const remove = () => {
    setConfirmingDelete(false);
    props.onDelete();
  };
  return (
    <div class="message-actions">
      <Show
        when={confirmingDelete()}
        fallback={
          <>
            <button type="button" class="link-button" ref={props.editRef} onClick={() => props.onEdit()} aria-label="Edit message">
              Edit
            </button>
            <button type="button" class="link-button" onClick={() => setConfirmingDelete(true)} aria-label="Delete message">
              Delete
            </button>
          </>
        }
      >
        <span>Delete this message?</span>
        <button type="button" class="link-button danger" onClick={remove}>
          Delete
        </button>
        <button type="button" class="link-button" onClick={() => setConfirmingDelete(false)}>
          Keep
        </button>
      </Show>
    </div>
  );
}
