/** The front door: type a name, become a guest, go in. */
import { createSignal, Show } from "solid-js";
import { MAX_NAME_LENGTH } from "../../shared/limits.ts";
import { signIn } from "../session.ts";

/** A single-field form; after it the app shows the space in the address bar (the lobby by default). */
export function SignInPage() {
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);

  const submit = async () => {
    if (!name().trim()) return setError("Type the name others will see.");
    setBusy(true);
    setError(undefined);
    try {
      await signIn(name().trim());
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h1 class="brand">Spaces</h1>
        <p class="lead">Where people and bots gather and talk.</p>
        <label class="field">
          <span>Your name</span>
          <input
            class="input"
            name="name"
            autocomplete="nickname"
            maxLength={MAX_NAME_LENGTH}
            value={name()}
            onInput={(event) => setName(event.currentTarget.value)}
            ref={(element) => queueMicrotask(() => element.focus())}
          />
        </label>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <button type="submit" class="button primary wide" disabled={busy()}>
          {busy() ? "Entering…" : "Enter as a guest"}
        </button>
      </form>
    </main>
  );
}
