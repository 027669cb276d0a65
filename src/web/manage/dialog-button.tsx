/** A button that opens a dialog whose code is fetched when first opened (kept off the space page's first screen). */
import { createSignal, Show, type Component } from "solid-js";

/** A dialog as the button shows it: it calls onClose when it closes. */
export type LazyDialog = Component<{ onClose(): void }>;

export interface DialogButtonProps {
  label: string;
  /** The button's accessible name, when the label alone does not say what it opens. */
  ariaLabel?: string;
  class?: string;
  load(): Promise<LazyDialog>;
}

/** The button, and the dialog while it is open; focus goes back to the button on close. */
export function DialogButton(props: DialogButtonProps) {
  const [dialog, setDialog] = createSignal<LazyDialog>();
  const [open, setOpen] = createSignal(false);
  let button!: HTMLButtonElement;

  const show = () => {
    setOpen(true);
    if (!dialog()) props.load().then((loaded) => setDialog(() => loaded), () => setOpen(false));
  };
  const close = () => {
    setOpen(false);
    button.focus();
  };

  return (
    <>
      <button ref={button} type="button" class={props.class ?? "button small quiet"} aria-haspopup="dialog" aria-label={props.ariaLabel} title={props.ariaLabel} onClick={show}>
        {props.label}
      </button>
      <Show when={open() && dialog()}>
        {(loaded) => {
          const Dialog = loaded();
          return <Dialog onClose={close} />;
        }}
      </Show>
    </>
  );
}
