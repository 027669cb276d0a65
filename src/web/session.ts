/**
 * Who is signed in: the session's being, and whether it is a superuser, kept in one signal for the
 * whole app. The spaces cache (sync/cache.ts) belongs to that being: it follows every change of it.
 */
import { createSignal } from "solid-js";
import type { Being } from "../shared/entities.ts";
import type { Me } from "../shared/responses.ts";
import * as api from "./api.ts";
import { backoff } from "./sync/backoff.ts";
import { appCache } from "./sync/cache.ts";
import { conflictingRow } from "./sync/conflict.ts";
import { dropPrefetched } from "./sync/prefetch.ts";

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

/** Makes `current` the signed-in being, and the owner of the cache (which empties it if it was someone else's). */
function adopt(current: Me): void {
  const before = session();
  if (before && before.being.id !== current.being.id) dropPrefetched();
  void appCache.claim(current);
  setSession(current);
}

/** Nobody's spaces stay in this browser: the prefetched snapshot is dropped and the cache emptied. */
function forget(): Promise<void> {
  dropPrefetched();
  return appCache.wipe();
}

/** Takes the server's word on who is signed in: that being owns the cache; nobody empties it. */
function settle(current: Me | null): void {
  if (current) return adopt(current);
  void forget();
  setSession(null);
}

/**
 * Asks the server who we are, again until it answers (see api.untilLoaded). Meanwhile the being the cache
 * last belonged to is taken at its word, so its spaces open at once (offline too); the server's
 * answer settles it: nobody (the session ended elsewhere) empties the cache, someone else takes it over.
 */
export async function loadSession({ kept = appCache.owner(), delays = backoff(1_000, 30_000) } = {}): Promise<void> {
  let answered = false;
  void kept.then((kept) => {
    if (kept && !answered) setSession(kept);
  });
  try {
    const current = await api.untilLoaded(api.getMe, delays);
    answered = true;
    settle(current);
  } catch {
    answered = true;
    setSession(null);
  }
}

/** Signs in as a new guest with this name. */
export async function signIn(name: string): Promise<void> {
  // A guest is made here and now: no operator can have made it a superuser yet.
  adopt({ being: await api.signInGuest(name), superuser: false });
}

/** Runs a sign-in that sets the session cookie (a passkey), then asks the server who we are now. */
export async function signInWith(work: () => Promise<unknown>): Promise<void> {
  await work();
  settle(await api.getMe());
}

/** Signs out, leaving nothing of the being's spaces in this browser; the app falls back to the sign-in page. */
export async function signOut(): Promise<void> {
  await api.signOut();
  await signedOut();
}

/** The session has ended (signed out, or this device's session ended from the account page). */
export async function signedOut(): Promise<void> {
  await forget();
  setSession(null);
}

/**
 * Renames the signed-in being, if its name is still the one shown: when another device renamed it meanwhile,
 * the rename is refused (CONFLICT) and the name as it is now is taken in, so saving again writes over it.
 */
export async function rename(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = session();
    if (!current) return;
    try {
      return adopt({ ...current, being: await api.patchBeing(current.being.id, { name, ifVersion: current.being.version }) });
    } catch (error) {
      const being = conflictingRow<Being>(error);
      if (!being || session()?.being.id !== being.id) throw error;
      adopt({ ...session()!, being });
      // The being changed but kept the name shown (it entered a space): no rename was overtaken; once more.
      if (being.name !== current.being.name || attempt > 1) throw error;
    }
  }
}
