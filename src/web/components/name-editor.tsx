/** The signed-in being's name, editable in place. */
import { createSignal, Show } from "solid-js";
import { ApiError, errorMessage } from "../../shared/errors.ts";
import { MAX_NAME_LENGTH } from "../../shared/limits.ts";
import { EditForm } from "./edit-form.tsx";

export interface NameEditorProps {
  name: string;
  onRename(name: string): Promise<void>;
}

const isConflict = (failure: unknown) => failure instanceof ApiError && failure.code === "CONFLICT";

/** Shows "Signed in as NAME" with a button that turns it into a small form. */
export function NameEditor(props: NameEditorProps) {
  const [draft, setDraft] = createSignal<string>();
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  let opener: HTMLButtonElement | undefined;

  const close = () => {
    setDraft(undefined);
    setError(undefined);
    queueMicrotask(() => opener?.focus());
  };
  const save = async () => {
    const name = draft()?.trim() ?? "";
    if (!name) return setError("A name cannot be empty.");
    if (name === props.name) return close();
    setBusy(true);
    try {
      await props.onRename(name);
      close();
    } catch (failure) {
      // onRename has taken in the name as it is now (props.name): the draft stays, and saving again writes it.
      setError(isConflict(failure) ? `Renamed elsewhere to “${props.name}” meanwhile. Save again to use yours.` : errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Show
      when={draft() !== undefined}
      fallback={
        // The accessible name is the visible text ("Ada Edit"), so speech users can say what they see.
        <button type="button" class="me" ref={opener} onClick={() => setDraft(props.name)} title="Change your name">
          <span class="me-name">{props.name}</span> <span class="me-edit">Edit</span>
        </button>
      }
    >
      <EditForm class="name-form" primary busy={busy()} error={error()} onSave={() => void save()} onCancel={close}>
        <label class="sr-only" for="name-input">
          Your name
        </label>
        <input
          id="name-input"
          class="input small"
          maxLength={MAX_NAME_LENGTH}
          value={draft()}
          onInput={(event) => setDraft(event.currentTarget.value)}
          ref={(element) => queueMicrotask(() => element.select())}
        />
      </EditForm>
    </Show>
  );
}
