/**
 * The account page (/account): ways back into this being (passkeys, provider accounts), with "Save this
 * identity" for a guest that has none yet, and the devices signed in as it.
 */
import { createResource, createSignal, For, Show, type JSX } from "solid-js";
import { LOBBY_ID, type Being } from "../../shared/entities.ts";
import { createPasskey, passkeysSupported } from "../account/passkey-ceremony.ts";
import { ProviderButtons } from "../account/provider-buttons.tsx";
import { takeSignInError } from "../account/sign-in-errors.ts";
import * as api from "../account/api.ts";
import { untilLoaded } from "../api.ts";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { SpaceLink } from "../components/space-link.tsx";
import { shortTime } from "../components/time.ts";
import { signedOut } from "../session.ts";

/** A list row: what it is, when, and its one action. */
function Row(props: { title: string; detail: string; tag?: string; children: JSX.Element }) {
  return (
    <li class="account-row">
      <div>
        <strong>{props.title}</strong>
        <Show when={props.tag}>
          <span class="tag">{props.tag}</span>
        </Show>
        <div class="account-detail">{props.detail}</div>
      </div>
      {props.children}
    </li>
  );
}

export function AccountPage(props: { me: Being }) {
  const [loadFailed, setLoadFailed] = createSignal(false);
  // A list that cannot be loaded shows as empty, with one note saying so (rather than breaking the page);
  // one the network kept away loads when it is back.
  const load = <T,>(fetch: () => Promise<T[]>) => () =>
    untilLoaded(fetch).catch(() => {
      setLoadFailed(true);
      return [] as T[];
    });
  const [passkeys, { refetch: refetchPasskeys }] = createResource(load(api.listPasskeys));
  const [identities, { refetch: refetchIdentities }] = createResource(load(api.listIdentities));
  const [sessions, { refetch: refetchSessions }] = createResource(load(api.listSessions));
  const save = createFormAction();
  const ways = createFormAction();
  const devices = createFormAction();
  save.setError(takeSignInError());
  document.title = "Account · Spaces";

  // Known to have no way back in yet (false while either list loads).
  const guest = () => passkeys()?.length === 0 && identities()?.length === 0;

  const addPasskey = () =>
    save.run(async () => {
      await createPasskey();
      await refetchPasskeys();
    });
  const removeWay = (work: () => Promise<void>) =>
    ways.run(async () => {
      await work();
      await Promise.all([refetchPasskeys(), refetchIdentities()]);
    });
  const signOutDevice = (id: string, current: boolean) =>
    devices.run(async () => {
      await api.endSession(id);
      // Signing out this device is signing out: the app goes back to the front door.
      if (current) await signedOut();
      else await refetchSessions();
    });

  return (
    <main class="account">
      <SpaceLink id={LOBBY_ID} class="crumb">
        <span aria-hidden="true">‹ </span>Back to spaces
      </SpaceLink>
      <h1>Your identity</h1>
      <p class="lead">
        You are <strong>{props.me.name}</strong> ({props.me.id}).
      </p>
      <Show when={loadFailed()}>
        <p class="form-error" role="alert">
          Some of this page could not be loaded: reload to try again.
        </p>
      </Show>

      <section aria-labelledby="save-heading" class="account-section">
        <h2 id="save-heading">{guest() ? "Save this identity" : "Add a way back in"}</h2>
        <Show when={guest()}>
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

      <section aria-labelledby="passkeys-heading" class="account-section">
        <h2 id="passkeys-heading">Passkeys</h2>
        <Show when={(passkeys()?.length ?? 0) > 0} fallback={<p class="account-detail">None yet.</p>}>
          <ul class="account-list">
            <For each={passkeys()}>
              {(passkey) => (
                <Row
                  title={passkey.label || "Passkey"}
                  detail={`Created ${shortTime(passkey.createdAt)}${passkey.lastUsedAt ? ` · last used ${shortTime(passkey.lastUsedAt)}` : ""}`}
                >
                  <button type="button" class="button small quiet" disabled={ways.busy()} onClick={() => void removeWay(() => api.removePasskey(passkey.id))}>
                    Remove
                  </button>
                </Row>
              )}
            </For>
          </ul>
        </Show>
        <Show when={(identities()?.length ?? 0) > 0}>
          <h2>Linked accounts</h2>
          <ul class="account-list">
            <For each={identities()}>
              {(identity) => (
                <Row title={identity.name} detail={`Linked ${shortTime(identity.createdAt)}`}>
                  <button type="button" class="button small quiet" disabled={ways.busy()} onClick={() => void removeWay(() => api.removeIdentity(identity.provider))}>
                    Unlink
                  </button>
                </Row>
              )}
            </For>
          </ul>
        </Show>
        <p class="account-detail">At least one way in must remain: add another before removing your last.</p>
        <FormError action={ways} />
      </section>

      <section aria-labelledby="devices-heading" class="account-section">
        <h2 id="devices-heading">Signed-in devices</h2>
        <ul class="account-list">
          <For each={sessions()}>
            {(session) => (
              <Row
                title={session.label}
                tag={session.current ? "this device" : undefined}
                detail={`Signed in ${shortTime(session.createdAt)} · last used ${shortTime(session.lastUsedAt)}`}
              >
                <button type="button" class="button small quiet" disabled={devices.busy()} onClick={() => void signOutDevice(session.id, session.current)}>
                  Sign out
                </button>
              </Row>
            )}
          </For>
        </ul>
        <FormError action={devices} />
      </section>
    </main>
  );
}
