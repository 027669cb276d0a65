/**
 * "Install app": where the browser offers to install the app (Chromium's `beforeinstallprompt`), the
 * offer is kept for a button to make; it is gone once taken, once the app is installed, and never
 * made in the installed app itself. Listening starts when this module loads (the start chunk), since
 * the browser makes its offer once, early.
 */
import { createSignal } from "solid-js";

/** The event Chromium fires (not in TypeScript's DOM types). */
interface InstallPrompt extends Event {
  prompt(): Promise<unknown>;
}

const [offer, setOffer] = createSignal<InstallPrompt>();

globalThis.addEventListener?.("beforeinstallprompt", (event) => {
  // Our button instead of the browser's own mini-infobar.
  event.preventDefault();
  setOffer(event as InstallPrompt);
});
globalThis.addEventListener?.("appinstalled", () => setOffer(undefined));

const standalone = () => globalThis.matchMedia?.("(display-mode: standalone)").matches === true;

/** Whether to show "Install app": the browser has offered and this is not the installed app. */
export function installable(): boolean {
  return offer() !== undefined && !standalone();
}

/** Shows the browser's install dialog; an offer can be taken once (the browser may make another later). */
export async function install(): Promise<void> {
  const taken = offer();
  setOffer(undefined);
  await taken?.prompt();
}
