/** The account page's list of ways back in: passkeys and linked provider accounts, each removable but the last. */
import { For, Show } from "solid-js";
import type { IdentityInfo, PasskeyInfo } from "../../shared/responses.ts";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { shortTime } from "../components/time.ts";
import { AccountRow } from "./account-row.tsx";
import * as api from "./api.ts";

export interface WaysSectionProps {
  passkeys: readonly PasskeyInfo[] | undefined;
  identities: readonly IdentityInfo[] | undefined;
  /** A way was removed: both lists are out of date (awaited: they refetch). */
  onRemoved(): unknown;
}

/** Passkeys, then linked accounts (when there are any), with Remove and Unlink. */
export function WaysSection(props: WaysSectionProps) {
  const ways = createFormAction();
  const removeWay = (work: () => Promise<void>) =>
    ways.run(async () => {
      await work();
      await props.onRemoved();
    });

  return (
    <section aria-labelledby="passkeys-heading" class="account-section">
      <h2 id="passkeys-heading">Passkeys</h2>
      <Show when={(props.passkeys?.length ?? 0) > 0} fallback={<p class="account-detail">None yet.</p>}>
        <ul class="account-list">
          <For each={props.passkeys}>
            {(passkey) => (
              <AccountRow
                title={passkey.label || "Passkey"}
                detail={`Created ${shortTime(passkey.createdAt)}${passkey.lastUsedAt ? ` · last used ${shortTime(passkey.lastUsedAt)}` : ""}`}
              >
                <button type="button" class="button small quiet" disabled={ways.busy()} onClick={() => void removeWay(() => api.removePasskey(passkey.id))}>
                  Remove
                </button>
              </AccountRow>
            )}
          </For>
        </ul>
      </Show>
      <Show when={(props.identities?.length ?? 0) > 0}>
        <h2>Linked accounts</h2>
        <ul class="account-list">
          <For each={props.identities}>
            {(identity) => (
              <AccountRow title={identity.name} detail={`Linked ${shortTime(identity.createdAt)}`}>
                <button type="button" class="button small quiet" disabled={ways.busy()} onClick={() => void removeWay(() => api.removeIdentity(identity.provider))}>
                  Unlink
                </button>
              </AccountRow>
            )}
          </For>
        </ul>
      </Show>
      <p class="account-detail">At least one way in must remain: add another before removing your last.</p>
      <FormError action={ways} />
    </section>
  );
}
