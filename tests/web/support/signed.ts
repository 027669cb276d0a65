/** The server's signing key, as web tests play it: packets signed the way the Worker signs them (src/worker/sync/signer.ts). */
import superjson from "superjson";
import { createKeyring, toBase64url, type SyncKey } from "../../../src/shared/signing.ts";
import type { PacketReader } from "../../../src/shared/sync.ts";

const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;

/** The key GET /api/sync/keys lists in web tests (the fake server answers it: support/fake-server.ts). */
export const TEST_SYNC_KEY: SyncKey = {
  kid: "test-key",
  alg: "Ed25519",
  x: toBase64url(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey))),
};

/** How a receiver reads packets in web tests: superjson, and a keyring listing the test key. */
export const testReader: PacketReader = { parse: (text) => superjson.parse(text), keyring: createKeyring(async () => [TEST_SYNC_KEY]) };

/** A packet's text: `value` (a batch) signed by the test key, in a SignedBatch envelope. */
export async function signedText(value: unknown): Promise<string> {
  const payload = superjson.stringify(value);
  const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, new TextEncoder().encode(payload)));
  return JSON.stringify({ kid: TEST_SYNC_KEY.kid, payload, sig: toBase64url(sig) });
}

/** A packet as LiveKit delivers it: the UTF-8 bytes of `signedText(value)`. */
export async function signedPacket(value: unknown): Promise<Uint8Array> {
  return new TextEncoder().encode(await signedText(value));
}
