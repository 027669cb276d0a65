/** Who is signed in: the session's being, and whether it is a superuser, kept in one signal for the whole app. */
import { createSignal } from "solid-js";
import type { Being } from "../shared/entities.ts";
import type { Me } from "../shared/responses.ts";
import * as api from "./api.ts";
import { backoff } from "./sync/backoff.ts";

// undefined while the first GET /api/me is under way; null when nobody is signed in.
const [session, setSession] = createSignal<Me | null | undefined>(undefined);

/** The signed-in being; undefined while the session loads, null when nobody is signed in. */
export function me(): Being | null | undefined {
  const current = session();
  return current && current.being;
}

/** Whether the server counts the signed-in being as a superuser (it alone knows SUPERUSER_IDS). */
export function superuser(): boolean {
  return session()?.superuser === true;
}

/** Asks the server who we are, retrying while the network is down (there is nothing to show without it). */
export async function loadSession(delays = backoff(1_000, 30_000)): Promise<void> {
  for (;;) {
    try {
      setSession(await api.getMe());
      return;
    } catch (error) {
      if (!api.isRetryable(error)) {
        setSession(null);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delays.next()));
    }
  }
}

/** Signs in as a new guest with this name. */
export async function signIn(name: string): Promise<void> {
  // A guest is made here and now: no operator can have made it a superuser yet.
  setSession({ being: await api.signInGuest(name), superuser: false });
}

/** Runs a sign-in that sets the session cookie (a passkey), then asks the server who we are now. */
export async function signInWith(work: () => Promise<unknown>): Promise<void> {
  await work();
  setSession(await api.getMe());
}

/** Signs out; the app falls back to the sign-in page. */
export async function signOut(): Promise<void> {
  await api.signOut();
  setSession(null);
}

/** Renames the signed-in being. */
export async function rename(name: string): Promise<void> {
  const current = session();
  if (current) setSession({ ...current, being: await api.patchBeing(current.being.id, { name }) });
}
