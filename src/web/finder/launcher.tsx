/** The "Go to…" button and its shortcut, Ctrl-K (Cmd-K on a Mac): the dialog's code is fetched when first opened. */
import { createSignal, onCleanup, Show, type Component } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import type { FinderDialogProps } from "./finder-dialog.tsx";

/** The button that opens the dialog, and the dialog while it is open; focus goes back where it was on close. */
export function FinderButton(props: { meId: BeingId }) {
  const [dialog, setDialog] = createSignal<Component<FinderDialogProps>>();
  const [open, setOpen] = createSignal(false);
  let returnTo: HTMLElement | null = null;

  const show = () => {
    if (open()) return;
    returnTo = document.activeElement as HTMLElement | null;
    setOpen(true);
    if (!dialog()) {
      import("./finder-dialog.tsx").then(
        (module) => setDialog(() => module.FinderDialog),
        () => setOpen(false),
      );
    }
  };
  const close = () => {
    setOpen(false);
    returnTo?.focus();
  };
  const onKey = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
      event.preventDefault();
      show();
    }
  };
  document.addEventListener("keydown", onKey);
  onCleanup(() => document.removeEventListener("keydown", onKey));

  return (
    <>
      <button type="button" class="button small quiet finder-button" aria-haspopup="dialog" aria-keyshortcuts="Control+K Meta+K" onClick={show}>
        Go to…
      </button>
      <Show when={open() && dialog()}>
        {(Dialog) => {
          const FinderDialog = Dialog();
          return <FinderDialog meId={props.meId} onClose={close} />;
        }}
      </Show>
    </>
  );
}
