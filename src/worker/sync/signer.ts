/**
 * The server's Ed25519 keys for sync batches. The signing key is derived (HKDF-SHA-256) from the secret
 * SYNC_SIGNING_KEY, or from SESSION_SECRET where none is set, so an operator sets a random string as for
 * any other secret. Rotation: set a new SYNC_SIGNING_KEY and list the old one in SYNC_RETIRED_SIGNING_KEYS
 * (comma-separated) while batches it signed may still be in flight; retired keys are listed, never used.
 */
import { fromBase64url, toBase64url, type SignedBatch, type SyncKey } from "../../shared/signing.ts";

type SigningEnv = Pick<Env, "SESSION_SECRET"> & Partial<Pick<Env, "SYNC_SIGNING_KEY" | "SYNC_RETIRED_SIGNING_KEYS">>;

interface KeyPair {
  kid: string;
  x: string;
  privateKey: CryptoKey;
}

export interface Signer {
  /** The key that signs. */
  kid: string;
  /** Signs a batch's superjson text (as packChanges made it). */
  sign(payload: string): Promise<SignedBatch>;
  /** Every key a receiver may meet: the signing key first, then the retired ones. */
  keys: SyncKey[];
}

const encoder = new TextEncoder();
/** PKCS #8 wrapping of a 32-byte Ed25519 seed (RFC 8410): WebCrypto imports private keys only so. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/** The key pair a secret stands for; the same secret always gives the same pair, on every isolate. */
async function keyPairOf(secret: string): Promise<KeyPair> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveBits"]);
  const seed = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: encoder.encode("spaces sync signing"), info: encoder.encode("v1") }, material, 256),
  );
  const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + seed.length);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(seed, PKCS8_ED25519_PREFIX.length);
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const { x } = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  const raw = fromBase64url(x!);
  // The key's own fingerprint names it: no separate id to configure or keep in step.
  const kid = toBase64url(new Uint8Array(await crypto.subtle.digest("SHA-256", raw)).slice(0, 9));
  return { kid, x: x!, privateKey };
}

// Derivation costs a few WebCrypto calls: kept per isolate by secret (keys are not I/O objects, so this is safe across requests).
const pairs = new Map<string, Promise<KeyPair>>();
const pairFor = (secret: string) => {
  let pair = pairs.get(secret);
  if (!pair) pairs.set(secret, (pair = keyPairOf(secret)));
  return pair;
};

/** The signer for this deployment's configuration. */
export async function syncSigner(env: SigningEnv): Promise<Signer> {
  const current = await pairFor(env.SYNC_SIGNING_KEY || env.SESSION_SECRET);
  const retiredSecrets = (env.SYNC_RETIRED_SIGNING_KEYS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const retired = await Promise.all(retiredSecrets.map(pairFor));
  const keys = [current, ...retired.filter((pair) => pair.kid !== current.kid)].map(({ kid, x }): SyncKey => ({ kid, alg: "Ed25519", x }));
  return {
    kid: current.kid,
    keys,
    async sign(payload) {
      const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, current.privateKey, encoder.encode(payload)));
      return { kid: current.kid, payload, sig: toBase64url(sig) };
    },
  };
}
