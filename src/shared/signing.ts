/**
 * Signed sync batches (CONTRACT.md, "Signed batches"): every packet on the `sync` topic is the JSON of a
 * SignedBatch, an Ed25519 signature over the exact superjson text of one SyncBatch. Trust rests on the
 * signature, never on LiveKit's idea of who sent the packet. Verification lives here, shared by the web
 * app and the tests' receivers; signing lives on the server (src/worker/sync/signer.ts).
 */

export interface SignedBatch {
  /** The key that signed it (GET /api/sync/keys). */
  kid: string;
  /** superjson.stringify(SyncBatch): the exact text that was signed. */
  payload: string;
  /** base64url Ed25519 signature of the UTF-8 bytes of `payload`. */
  sig: string;
}

/** A public key that signs sync batches, as GET /api/sync/keys lists it. */
export interface SyncKey {
  kid: string;
  alg: "Ed25519";
  /** base64url of the raw 32-byte public key. */
  x: string;
}

/** The bytes a signed packet's envelope adds around its payload's JSON string: `{"kid":…,"payload":,"sig":…}`. */
export const SIGNED_ENVELOPE_BYTES = 160;

const encoder = new TextEncoder();

/** Standard base64 with padding (data URLs), built in slices so a large file does not overflow the call stack. */
export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** base64url without padding, as JOSE writes keys and signatures. */
export function toBase64url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Bytes of a base64url text; throws on anything that is not base64url. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
}

/** A listed key, ready to verify with (WebCrypto Ed25519: Workers, Chrome 137+, Firefox 129+, Safari 17+). */
export function importSyncKey(key: SyncKey): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", fromBase64url(key.x), { name: "Ed25519" }, false, ["verify"]);
}

/** Reads a packet's text as a SignedBatch envelope; undefined for anything else. */
export function parseSignedBatch(text: string): SignedBatch | undefined {
  try {
    const value = JSON.parse(text) as Partial<SignedBatch> | null;
    if (typeof value?.kid !== "string" || typeof value.payload !== "string" || typeof value.sig !== "string") return undefined;
    return { kid: value.kid, payload: value.payload, sig: value.sig };
  } catch {
    return undefined;
  }
}

/** Whether `packet.sig` is `key`'s signature of `packet.payload`. Never throws: a malformed signature is simply not valid. */
export async function verifySignedBatch(key: CryptoKey, packet: SignedBatch): Promise<boolean> {
  try {
    return await crypto.subtle.verify({ name: "Ed25519" }, key, fromBase64url(packet.sig), encoder.encode(packet.payload));
  } catch {
    return false;
  }
}

/** A receiver's copy of the listed keys: it asks again when it meets an unknown kid, at most once every `refetchMs`. */
export interface Keyring {
  /** The key named `kid`, or undefined when the list (fetched again if due) does not have it. */
  key(kid: string): Promise<CryptoKey | undefined>;
  /** Fetches the list if it never was: a receiver about to listen, so its first packet waits for nothing. */
  load(): Promise<void>;
}

/** The contract's floor between two fetches of the key list for an unknown kid. */
export const KEYS_REFETCH_MS = 10_000;

/** A keyring over `fetchKeys` (GET /api/sync/keys); a failed fetch counts as a fetch and keeps what was known. */
export function createKeyring(fetchKeys: () => Promise<SyncKey[]>, now: () => number = Date.now, refetchMs = KEYS_REFETCH_MS): Keyring {
  let keys = new Map<string, Promise<CryptoKey>>();
  let fetched: Promise<void> | undefined;
  let fetchedAt = -Infinity;
  const refresh = () => {
    fetchedAt = now();
    fetched = fetchKeys().then(
      (listed) => void (keys = new Map(listed.map((listedKey) => [listedKey.kid, keys.get(listedKey.kid) ?? importSyncKey(listedKey)]))),
      () => undefined,
    );
    return fetched;
  };
  return {
    load: () => fetched ?? refresh(),
    async key(kid) {
      if (!keys.has(kid)) await (fetched && now() - fetchedAt < refetchMs ? fetched : refresh());
      return keys.get(kid)?.catch(() => undefined);
    },
  };
}

/** Why a packet was refused before its batch was read: counted by receivers, never applied. */
export type PacketFault = "malformed" | "unknown key" | "bad signature";

/** A packet's text, checked: the payload its listed key signed, or why it is refused. */
export async function openSignedPacket(text: string, keyring: Keyring): Promise<{ payload: string } | { fault: PacketFault }> {
  const packet = parseSignedBatch(text);
  if (!packet) return { fault: "malformed" };
  const key = await keyring.key(packet.kid);
  if (!key) return { fault: "unknown key" };
  return (await verifySignedBatch(key, packet)) ? { payload: packet.payload } : { fault: "bad signature" };
}
