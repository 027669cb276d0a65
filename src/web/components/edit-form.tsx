/** The small form that edits something in place (a message, my name): its field, then Save and Cancel; Escape cancels. */
import { Show, type JSX } from "solid-js";

export interface EditFormProps {
  class: string;
  /** The field being edited, with its label. */
  children: JSX.Element;
  onSave(): void;
  onCancel(): void;
  /** Save is the form's main button (styled so). */
  primary?: boolean;
  /** A save is under way: Save waits for it. */
  busy?: boolean;
  /** Why the last save failed, said after the buttons. */
  error?: string;
}

/** The form; what Save does and when it closes are the caller's. */
export function EditForm(props: EditFormProps) {
  return (
    <form
      class={props.class}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSave();
      }}
      onKeyDown={(event) => event.key === "Escape" && props.onCancel()}
    >
      {props.children}
      <div class="edit-actions">
        <button type="submit" class="button small" classList={{ primary: props.primary }} disabled={props.busy}>
          Save
        </button>
        <button type="button" class="button small quiet" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
      <Show when={props.error}>
        <span class="form-error" role="alert">
          {props.error}
        </span>
      </Show>
    </form>
  );
}
