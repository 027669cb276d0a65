/**
 * The account page (/account): ways back into this being (passkeys, provider accounts), with "Save this
 * identity" for a guest that has none yet, the devices signed in as it, and this device's notifications.
 */
import { createResource, createSignal, Show } from "solid-js";
import { LOBBY_ID, type Being } from "../../shared/entities.ts";
import { AddWaySection } from "../account/add-way-section.tsx";
import * as api from "../account/api.ts";
import { DevicesSection } from "../account/devices-section.tsx";
import { NotificationsSection } from "../account/notifications-section.tsx";
import { WaysSection } from "../account/ways-section.tsx";
import { untilLoaded } from "../api.ts";
import { SpaceLink } from "../components/space-link.tsx";

/** The page; its lists load once and are fetched again after each change made here. */
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
  document.title = "Account · Spaces";

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
      {/* Known to have no way back in yet (false while either list loads). */}
      <AddWaySection guest={passkeys()?.length === 0 && identities()?.length === 0} onPasskeyCreated={refetchPasskeys} />
      <WaysSection passkeys={passkeys()} identities={identities()} onRemoved={() => Promise.all([refetchPasskeys(), refetchIdentities()])} />
      <DevicesSection sessions={sessions()} onSignedOut={refetchSessions} />
      <NotificationsSection />
    </main>
  );
}
