/**
 * Passkeys in the browser: create one for the signed-in being, or sign in with one. SimpleWebAuthn's
 * browser package is fetched on first use, so it stays out of the start chunk.
 */
import type { Being } from "../../shared/entities.ts";
import type { PasskeyInfo } from "../../shared/responses.ts";
import type { PasskeyCredential } from "../../shared/schemas.ts";
import * as api from "./api.ts";

/** Whether this browser has WebAuthn at all (old browsers, some embedded views and insecure pages do not). */
export function passkeysSupported(): boolean {
  return typeof globalThis.PublicKeyCredential === "function";
}

async function webauthn() {
  if (!passkeysSupported()) throw new Error("This browser cannot use passkeys. Try another browser, or a sign-in provider.");
  return import("@simplewebauthn/browser");
}

/** The browser's refusal in words a person can act on. */
function explain(error: unknown): never {
  const name = error instanceof Error ? error.name : "";
  if (name === "NotAllowedError" || name === "AbortError") throw new Error("The passkey prompt was closed or timed out. Try again when you are ready.");
  if (name === "InvalidStateError") throw new Error("This device already holds a passkey for you.");
  if (name === "SecurityError") throw new Error("Passkeys do not work on this address (they need https or localhost).");
  throw error instanceof Error ? error : new Error(String(error));
}

/** Creates a passkey on this device for the signed-in being and stores it on the server. */
export async function createPasskey(): Promise<PasskeyInfo> {
  const { startRegistration } = await webauthn();
  const optionsJSON = await api.passkeyRegistrationOptions();
  const credential = await startRegistration({ optionsJSON }).catch(explain);
  return api.registerPasskey(credential as PasskeyCredential);
}

/** Signs in with a passkey the person picks; answers the being it belongs to. */
export async function signInWithPasskey(): Promise<Being> {
  const { startAuthentication } = await webauthn();
  const optionsJSON = await api.passkeySignInOptions();
  const credential = await startAuthentication({ optionsJSON }).catch(explain);
  return api.signInWithPasskey(credential as PasskeyCredential);
}
