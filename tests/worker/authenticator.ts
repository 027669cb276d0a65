/**
 * A software WebAuthn authenticator for worker tests: it makes ES256 credentials and signs assertions
 * exactly as a platform authenticator does ("none" attestation, a signature counter), so the server's
 * verification runs on real bytes. The browser e2e uses Chromium's virtual authenticator instead.
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";
import type { Client } from "./client.ts";

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_DATA = 0x40;

interface Credential {
  id: Uint8Array<ArrayBuffer>;
  keys: CryptoKeyPair;
  /** The signature counter; a test may wind it back to play a cloned authenticator. */
  counter: number;
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const sha256 = async (data: Uint8Array<ArrayBuffer>) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));
const uint32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const text = (s: string) => new Uint8Array(new TextEncoder().encode(s));

/** WebCrypto's ECDSA signature is r‖s; WebAuthn carries it DER-encoded. */
function derSignature(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.slice(start);
    const value = trimmed[0]! & 0x80 ? concat([0], trimmed) : trimmed;
    return concat([0x02, value.length], value);
  };
  const r = integer(raw.slice(0, 32));
  const s = integer(raw.slice(32));
  return concat([0x30, r.length + s.length], r, s);
}

/** A PublicKeyCredential as the browser serialises it (toJSON()). */
function publicKeyCredential<Response>(credential: Credential, response: Response) {
  const id = isoBase64URL.fromBuffer(credential.id);
  return { id, rawId: id, type: "public-key" as const, response, clientExtensionResults: {}, authenticatorAttachment: "platform" as const };
}

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];

  /** `origin` is the page the "browser" is on: the client data says it, and the RP id hash follows from it. */
  constructor(readonly origin: string) {}

  /** navigator.credentials.create(): a new resident ES256 credential for the options' RP. */
  async register(options: PublicKeyCredentialCreationOptionsJSON): Promise<RegistrationResponseJSON> {
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const credential: Credential = { id: crypto.getRandomValues(new Uint8Array(16)), keys, counter: 0 };
    this.credentials.push(credential);
    const jwk = (await crypto.subtle.exportKey("jwk", keys.publicKey)) as JsonWebKey;
    const coseKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, isoBase64URL.toBuffer(jwk.x!)],
        [-3, isoBase64URL.toBuffer(jwk.y!)],
      ]),
    );
    const authData = concat(
      await sha256(text(options.rp.id ?? new URL(this.origin).hostname)),
      [FLAG_USER_PRESENT | FLAG_USER_VERIFIED | FLAG_ATTESTED_DATA],
      uint32(credential.counter),
      new Uint8Array(16),
      [credential.id.length >> 8, credential.id.length & 255],
      credential.id,
      coseKey,
    );
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]) as never);
    return publicKeyCredential(credential, {
      clientDataJSON: this.clientData("webauthn.create", options.challenge),
      attestationObject: isoBase64URL.fromBuffer(attestationObject),
      transports: ["internal"],
    });
  }

  /** navigator.credentials.get(): an assertion by `credential` (the first one by default), its counter moved on. */
  async signIn(options: PublicKeyCredentialRequestOptionsJSON, credential = this.credentials[0]!): Promise<AuthenticationResponseJSON> {
    credential.counter += 1;
    const authData = concat(await sha256(text(options.rpId ?? new URL(this.origin).hostname)), [FLAG_USER_PRESENT | FLAG_USER_VERIFIED], uint32(credential.counter));
    const clientDataJSON = this.clientData("webauthn.get", options.challenge);
    const signed = concat(authData, await sha256(new Uint8Array(isoBase64URL.toBuffer(clientDataJSON))));
    const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, credential.keys.privateKey, signed));
    return publicKeyCredential(credential, {
      clientDataJSON,
      authenticatorData: isoBase64URL.fromBuffer(authData),
      signature: isoBase64URL.fromBuffer(derSignature(raw)),
    });
  }

  private clientData(type: string, challenge: string): string {
    return isoBase64URL.fromUTF8String(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }
}

const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

/** Registers a passkey for the client's being with `authenticator`, from Chrome on Linux; returns the server's answer. */
export async function register(client: Client, authenticator: SoftAuthenticator) {
  const { body } = await client.request("POST", "/api/auth/passkeys/register/options");
  const credential = await authenticator.register(body.options);
  return client.request("POST", "/api/auth/passkeys/register", { credential }, { "User-Agent": CHROME_LINUX });
}
