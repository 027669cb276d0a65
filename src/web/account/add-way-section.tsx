/** The account page's first section: a new way back in (a passkey, a provider account), urged on a guest who has none. */
import { Show } from "solid-js";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { createPasskey, passkeysSupported } from "./passkey-ceremony.ts";
import { ProviderButtons } from "./provider-buttons.tsx";
import { takeSignInError } from "./sign-in-errors.ts";

export interface AddWaySectionProps {
  /** Known to have no way back in yet ("Save this identity"). */
  guest: boolean;
  /** A passkey was created: the list of them is out of date (awaited: it refetches). */
  onPasskeyCreated(): unknown;
}

/** "Save this identity" for a guest, "Add a way back in" otherwise; a provider's refusal comes back here. */
export function AddWaySection(props: AddWaySectionProps) {
  const save = createFormAction();
  save.setError(takeSignInError());
  const addPasskey = () =>
    save.run(async () => {
      await createPasskey();
      await props.onPasskeyCreated();
    });

  return (
    <section aria-labelledby="save-heading" class="account-section">
      <h2 id="save-heading">{props.guest ? "Save this identity" : "Add a way back in"}</h2>
      <Show when={props.guest}>
        <p class="account-warning" role="note">
          You are a guest: if this browser forgets you, so does Spaces. Save this identity to come back as yourself, with your name
          and your messages, from any device.
        </p>
      </Show>
      <button type="button" class="button primary" disabled={save.busy() || !passkeysSupported()} onClick={() => void addPasskey()}>
        {save.busy() ? "Waiting for your passkey…" : "Create a passkey"}
      </button>
      <Show when={!passkeysSupported()}>
        <p class="account-detail">This browser cannot use passkeys.</p>
      </Show>
      <ProviderButtons attach={true} action={save} verb="Link" />
      <FormError action={save} />
    </section>
  );
}
