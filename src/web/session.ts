/** Who is signed in: the session's being, kept in one signal for the whole app. */
import { createSignal } from "solid-js";
import type { Being } from "../shared/entities.ts";
import * as api from "./api.ts";
import { backoff } from "./sync/backoff.ts";

// undefined while the first GET /api/me is under way; null when nobody is signed in.
const [me, setMe] = createSignal<Being | null | undefined>(undefined);
export { me };

/** Asks the server who we are, retrying while the network is down (there is nothing to show without it). */
export async function loadSession(delays = backoff(1_000, 30_000)): Promise<void> {
  for (;;) {
    try {
      setMe(await api.getMe());
      return;
    } catch (error) {
      if (!api.isRetryable(error)) {
        setMe(null);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delays.next()));
    }
  }
}

/** Signs in as a new guest with this name. */
export async function signIn(name: string): Promise<void> {
  setMe(await api.signInGuest(name));
}

/** Signs out; the app falls back to the sign-in page. */
export async function signOut(): Promise<void> {
  await api.signOut();
  setMe(null);
}

/** Renames the signed-in being. */
export async function rename(name: string): Promise<void> {
  const current = me();
  if (current) setMe(await api.patchBeing(current.id, { name }));
}
