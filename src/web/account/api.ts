/**
 * The account API: passkeys, linked provider accounts, devices. Through the one typed client (api.ts), but in
 * its own module so that only the pages that use it (fetched on demand) carry it, not the start chunk.
 */
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import type { Being } from "../../shared/entities.ts";
import type { DeviceSession, IdentityInfo, PasskeyInfo } from "../../shared/responses.ts";
import type { PasskeyCredential } from "../../shared/schemas.ts";
import { call, client } from "../api.ts";

// A ceremony's options are the server library's WebAuthn JSON as it made them. Their type lets `extensions`
// hold binary PRF inputs, which JSON cannot carry (the server sets no extensions), so Hono's typing of the
// body cannot match the browser library's type for the same JSON: the two functions that read them say which.

/** Options for creating a passkey for the signed-in being. */
export async function passkeyRegistrationOptions(): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return (await call(() => client.api.auth.passkeys.register.options.$post())).options as PublicKeyCredentialCreationOptionsJSON;
}

/** Stores the passkey the browser created. */
export async function registerPasskey(credential: PasskeyCredential): Promise<PasskeyInfo> {
  return (await call(() => client.api.auth.passkeys.register.$post({ json: { credential } }))).passkey;
}

/** Options for signing in with any passkey of this site. */
export async function passkeySignInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return (await call(() => client.api.auth.passkeys.signin.options.$post())).options as PublicKeyCredentialRequestOptionsJSON;
}

/** Signs in with the passkey's answer; the session cookie is set, the being answered. */
export async function signInWithPasskey(credential: PasskeyCredential): Promise<Being> {
  return (await call(() => client.api.auth.passkeys.signin.$post({ json: { credential } }))).being;
}

/** The signed-in being's passkeys. */
export async function listPasskeys(): Promise<PasskeyInfo[]> {
  return (await call(() => client.api.auth.passkeys.$get())).passkeys;
}

/** Removes a passkey (refused with CONFLICT when it is the last way in). */
export async function removePasskey(id: string): Promise<void> {
  await call(() => client.api.auth.passkeys[":id"].$delete({ param: { id } }));
}

/** The provider accounts linked to the signed-in being. */
export async function listIdentities(): Promise<IdentityInfo[]> {
  return (await call(() => client.api.auth.identities.$get())).identities;
}

/** Unlinks the account at a provider (refused with CONFLICT when it is the last way in). */
export async function removeIdentity(provider: string): Promise<void> {
  await call(() => client.api.auth.identities[":provider"].$delete({ param: { provider } }));
}

/** The signed-in being's devices (sessions). */
export async function listSessions(): Promise<DeviceSession[]> {
  return (await call(() => client.api.auth.sessions.$get())).sessions;
}

/** Signs one device out. */
export async function endSession(id: string): Promise<void> {
  await call(() => client.api.auth.sessions[":id"].$delete({ param: { id } }));
}
