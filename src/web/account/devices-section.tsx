/** The account page's list of devices signed in as this being, each of which can be signed out. */
import { For } from "solid-js";
import type { DeviceSession } from "../../shared/responses.ts";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { shortTime } from "../components/time.ts";
import { signedOut } from "../session.ts";
import { AccountRow } from "./account-row.tsx";
import * as api from "./api.ts";

export interface DevicesSectionProps {
  sessions: readonly DeviceSession[] | undefined;
  /** Another device was signed out: the list is out of date (awaited: it refetches). */
  onSignedOut(): unknown;
}

/** "Signed-in devices", this one tagged. */
export function DevicesSection(props: DevicesSectionProps) {
  const devices = createFormAction();
  const signOutDevice = (id: string, current: boolean) =>
    devices.run(async () => {
      await api.endSession(id);
      // Signing out this device is signing out: the app goes back to the front door.
      if (current) await signedOut();
      else await props.onSignedOut();
    });

  return (
    <section aria-labelledby="devices-heading" class="account-section">
      <h2 id="devices-heading">Signed-in devices</h2>
      <ul class="account-list">
        <For each={props.sessions}>
          {(session) => (
            <AccountRow
              title={session.label}
              tag={session.current ? "this device" : undefined}
              detail={`Signed in ${shortTime(session.createdAt)} · last used ${shortTime(session.lastUsedAt)}`}
            >
              <button type="button" class="button small quiet" disabled={devices.busy()} onClick={() => void signOutDevice(session.id, session.current)}>
                Sign out
              </button>
            </AccountRow>
          )}
        </For>
      </ul>
      <FormError action={devices} />
    </section>
  );
}
