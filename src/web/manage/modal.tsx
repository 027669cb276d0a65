/**
 * A modal dialog on the platform's <dialog>: showModal() makes the rest of the page inert, keeps Tab
 * inside and closes on Esc, so none of that is written here.
 */
import { onMount, type JSX } from "solid-js";

export interface ModalProps {
  /** The heading's id, named by aria-labelledby. */
  titleId: string;
  title: string;
  onClose(): void;
  children: JSX.Element;
  class?: string;
}

/** The dialog, open while it is rendered. */
export function Modal(props: ModalProps) {
  let dialog!: HTMLDialogElement;
  onMount(() => dialog.showModal?.());
  return (
    <dialog
      ref={dialog}
      class={`modal ${props.class ?? ""}`}
      aria-labelledby={props.titleId}
      onClose={() => props.onClose()}
      onClick={(event) => event.target === dialog && dialog.close()}
    >
      <div class="modal-top">
        <h2 id={props.titleId}>{props.title}</h2>
        <button type="button" class="button small quiet" onClick={() => dialog.close()}>
          Close
        </button>
      </div>
      {props.children}
    </dialog>
  );
}
