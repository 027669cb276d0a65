/**
 * Web Push message encryption (RFC 8291) in the aes128gcm content coding (RFC 8188), with WebCrypto only: an
 * ephemeral P-256 key agreed with the subscription's key, the subscription's auth secret mixed in by HKDF, and the
 * payload sealed as one AES-128-GCM record. Only the browser that subscribed can read it; the push service cannot.
 */

const encoder = new TextEncoder();
const text = (value: string) => concat(encoder.encode(value));
/** One record holds the whole payload: the record size only has to exceed it (RFC 8188 §2). */
const RECORD_SIZE = 4096;
/** The most payload bytes one record carries: its size less the delimiter and the GCM tag. */
export const MAX_PUSH_PAYLOAD_BYTES = RECORD_SIZE - 1 - 16;

/** A browser's subscription keys (PushSubscription.getKey): its P-256 public key (65 bytes) and auth secret (16). */
export interface SubscriptionKeys {
  p256dh: Uint8Array<ArrayBuffer>;
  auth: Uint8Array<ArrayBuffer>;
}

const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/** HKDF-SHA-256 (extract and expand) of `ikm` with `salt` and `info`, `bytes` long. */
async function hkdf(salt: Uint8Array<ArrayBuffer>, ikm: ArrayBuffer | Uint8Array<ArrayBuffer>, info: Uint8Array<ArrayBuffer>, bytes: number) {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8);
}

/** The aes128gcm body of a push message carrying `payload` to the browser that holds `keys`. */
export async function encryptPushPayload(payload: Uint8Array, keys: SubscriptionKeys): Promise<Uint8Array<ArrayBuffer>> {
  if (payload.length > MAX_PUSH_PAYLOAD_BYTES) throw new Error(`a push payload is at most ${MAX_PUSH_PAYLOAD_BYTES} bytes`);
  const browserKey = await crypto.subtle.importKey("raw", keys.p256dh, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const ephemeral = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"])) as CryptoKeyPair;
  const serverPublic = new Uint8Array((await crypto.subtle.exportKey("raw", ephemeral.publicKey)) as ArrayBuffer);
  // workerd's types spell ECDH's `public` member `$public` (a reserved word in its bindings); the runtime reads `public`.
  const agreement = { name: "ECDH", public: browserKey } as unknown as SubtleCryptoDeriveKeyAlgorithm;
  const shared = await crypto.subtle.deriveBits(agreement, ephemeral.privateKey, 256);

  // RFC 8291 §3.3-3.4: the input keying material binds both public keys and the auth secret.
  const keyInfo = concat(text("WebPush: info\0"), keys.p256dh, serverPublic);
  const ikm = await hkdf(keys.auth, shared, keyInfo, 32);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const cek = await hkdf(salt, ikm, text("Content-Encoding: aes128gcm\0"), 16);
  const nonce = await hkdf(salt, ikm, text("Content-Encoding: nonce\0"), 12);

  const aes = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
  // 0x02: the last (and only) record's delimiter, with no padding after it.
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, aes, concat(payload, Uint8Array.of(2)));

  // RFC 8188 §2.1 header: salt, record size (uint32), key id length, key id (the ephemeral public key).
  const header = new Uint8Array(16 + 4 + 1 + serverPublic.length);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, RECORD_SIZE);
  header[20] = serverPublic.length;
  header.set(serverPublic, 21);
  return concat(header, new Uint8Array(sealed));
}
