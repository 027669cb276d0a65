/** The front door: type a name and become a guest, or come back as yourself with a passkey or a provider. */
import { createSignal, Show } from "solid-js";
import { MAX_NAME_LENGTH } from "../../shared/limits.ts";
import { ProviderButtons } from "../account/provider-buttons.tsx";
import { takeSignInError } from "../account/sign-in-errors.ts";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { firstScreenPainted } from "../first-screen.ts";
import { signIn, signInWith } from "../session.ts";

/** A single-field form; after it the app shows the space in the address bar (the lobby by default). */
export function SignInPage() {
  const [name, setName] = createSignal("");
  const guest = createFormAction();
  const returning = createFormAction();
  returning.setError(takeSignInError());
  firstScreenPainted();

  const submit = () => {
    if (!name().trim()) return guest.setError("Type the name others will see.");
    void guest.run(() => signIn(name().trim()));
  };
  const passkey = () =>
    returning.run(async () => {
      // The ceremony's code is fetched only when someone uses it.
      const { signInWithPasskey } = await import("../account/passkey-ceremony.ts");
      await signInWith(signInWithPasskey);
    });

  return (
    <main class="sign-in">
      <div class="card">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            submit();
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
          <FormError action={guest} />
          <button type="submit" class="button primary wide" disabled={guest.busy()}>
            {guest.busy() ? "Entering…" : "Enter as a guest"}
          </button>
        </form>
        <section class="returning" aria-labelledby="returning-heading">
          <h2 id="returning-heading">Been here before?</h2>
          <button type="button" class="button wide" disabled={returning.busy()} onClick={() => void passkey()}>
            <Show when={returning.busy()} fallback="Sign in with a passkey">
              Waiting for your passkey…
            </Show>
          </button>
          <ProviderButtons attach={false} action={returning} verb="Sign in with" />
          <FormError action={returning} />
        </section>
      </div>
    </main>
  );
}
