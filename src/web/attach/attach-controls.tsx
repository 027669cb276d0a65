/**
 * The composer's files (loaded just after the first paint, as its `@` list is): the Attach button, pastes
 * of files into the form, drops onto the conversation, and the tray of what is attached. Each file starts
 * uploading as soon as it is chosen, so it is often up by the time the caption is written.
 */
import { createEffect, createSignal, onCleanup, onMount, Show } from "solid-js";
import { MAX_ATTACHMENTS_PER_MESSAGE } from "../../shared/attachments.ts";
import type { BeingId } from "../../shared/entities.ts";
import type { OutboxFile } from "../sync/outbox.ts";
import { listenForDrops } from "./file-drop.ts";
import { Tray } from "./tray.tsx";
import { addUpload, cancelUpload } from "./uploads.ts";

export interface AttachControlsProps {
  spaceId: BeingId;
  /** The files attached to the draft, and where a change to them goes. */
  files: readonly OutboxFile[];
  onChange(files: OutboxFile[]): void;
  /** The composer's form (files pasted into it are attached) and the area files may be dropped on. */
  form(): HTMLFormElement | undefined;
  dropArea?(): HTMLElement | undefined;
}

/** The Attach button, the tray, and the paste and drop listeners. */
export function AttachControls(props: AttachControlsProps) {
  const [refused, setRefused] = createSignal<string>();
  let picker: HTMLInputElement | undefined;
  const add = (picked: readonly File[]) => {
    if (!picked.length) return;
    const taken = picked.slice(0, Math.max(0, MAX_ATTACHMENTS_PER_MESSAGE - props.files.length));
    const added = taken.map((file) => ({ key: addUpload(props.spaceId, file, file.name), name: file.name, size: file.size, type: file.type }));
    props.onChange([...props.files, ...added]);
    setRefused(taken.length < picked.length ? `A message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} files.` : undefined);
  };
  const remove = (key: string) => {
    cancelUpload(key);
    props.onChange(props.files.filter((file) => file.key !== key));
  };
  // Sent (or all removed): the refusal was about the files that were there.
  createEffect(() => props.files.length === 0 && setRefused(undefined));
  // The composer goes away (another space) with files not sent: their uploads stop.
  onCleanup(() => {
    for (const file of props.files) cancelUpload(file.key);
  });

  const onPaste = (event: ClipboardEvent) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!files.length) return;
    event.preventDefault();
    add(files);
  };
  onMount(() => {
    const form = props.form();
    form?.addEventListener("paste", onPaste);
    const area = props.dropArea?.();
    const stopDrops = area && listenForDrops(area, add);
    onCleanup(() => {
      form?.removeEventListener("paste", onPaste);
      stopDrops?.();
    });
  });

  return (
    <>
      <Show when={props.files.length}>
        <Tray files={props.files} onRemove={remove} />
      </Show>
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        onChange={(event) => {
          add([...(event.currentTarget.files ?? [])]);
          // Picking the same file again is a change too.
          event.currentTarget.value = "";
        }}
      />
      <button type="button" class="button attach-button" aria-label="Attach files" title="Attach files" onClick={() => picker?.click()}>
        +
      </button>
      <Show when={refused()}>
        <p class="composer-hint" role="alert">
          {refused()}
        </p>
      </Show>
    </>
  );
}
