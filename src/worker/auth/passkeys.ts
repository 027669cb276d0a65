/**
 * WebAuthn ceremonies with SimpleWebAuthn: options for the browser, and verification of its answers
 * against the request's own origin (a passkey made for another site is refused) and the stored counter.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import type { Being } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import type { PasskeyCredential } from "../../shared/schemas.ts";
import type { NewPasskey, StoredPasskey } from "../db/queries/accounts.ts";

/** The relying party: the app's own origin (the request's, which the same-origin guard has checked) and its host. */
export interface RelyingParty {
  id: string;
  origin: string;
}

/** The relying party a request speaks for. */
export function relyingParty(requestUrl: string): RelyingParty {
  const url = new URL(requestUrl);
  return { id: url.hostname, origin: url.origin };
}

/**
 * The challenge a browser's answer claims to answer (from its client data), to find the stored one by.
 * The signature check later proves the authenticator signed exactly this.
 */
export function claimedChallenge(credential: PasskeyCredential): string {
  try {
    const clientData: unknown = JSON.parse(isoBase64URL.toUTF8String(credential.response.clientDataJSON));
    const challenge = (clientData as { challenge?: unknown }).challenge;
    if (typeof challenge === "string" && challenge.length > 0) return challenge;
  } catch {
    // Not base64url JSON: refused below like any other malformed answer.
  }
  throw new ApiError("VALIDATION", "credential: its client data holds no challenge");
}

/** Options for navigator.credentials.create(): a discoverable credential, so it can sign in without a name. */
export function registrationOptions(
  rp: RelyingParty,
  being: Being,
  existing: { id: string; transports: string[] }[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: "Spaces",
    rpID: rp.id,
    userName: being.id,
    userDisplayName: being.name,
    attestationType: "none",
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransport[] })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
}

/** Options for navigator.credentials.get(): any passkey of this site (the browser offers the person's own). */
export function authenticationOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID: rp.id, userVerification: "preferred" });
}

/** The credential a registration answer creates, once its challenge, origin and RP id check out. */
export async function verifyRegistration(rp: RelyingParty, credential: PasskeyCredential, challenge: string): Promise<Omit<NewPasskey, "label">> {
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await verifyRegistrationResponse({
      response: credential as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch (error) {
    throw new ApiError("VALIDATION", `the passkey could not be verified: ${(error as Error).message}`);
  }
  if (!result.verified) throw new ApiError("VALIDATION", "the passkey could not be verified");
  const made = result.registrationInfo.credential;
  return { id: made.id, publicKey: isoBase64URL.fromBuffer(made.publicKey), counter: made.counter, transports: made.transports ?? [] };
}

/** The authenticator's new signature counter, once the answer's signature, challenge, origin, RP id and counter check out. */
export async function verifyAuthentication(rp: RelyingParty, credential: PasskeyCredential, challenge: string, stored: StoredPasskey): Promise<number> {
  try {
    const result = await verifyAuthenticationResponse({
      response: credential as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: stored.id,
        publicKey: isoBase64URL.toBuffer(stored.publicKey),
        counter: stored.counter,
        transports: stored.transports as AuthenticatorTransport[],
      },
      requireUserVerification: false,
    });
    if (result.verified) return result.authenticationInfo.newCounter;
  } catch (error) {
    throw new ApiError("UNAUTHENTICATED", `the passkey could not be verified: ${(error as Error).message}`);
  }
  throw new ApiError("UNAUTHENTICATED", "the passkey could not be verified");
}
