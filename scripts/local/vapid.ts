// Web Push's VAPID key pair for local stacks and tests, derived from a fixed string (as the local session secret is
// fixed): the same on every start, so a browser's subscription outlives a restart of `npm run dev`.
import { createECDH, createHash } from "node:crypto";

/** A P-256 pair whose private scalar is SHA-256(`seed`), base64url as VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY take it. */
export function vapidKeysFrom(seed: string): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const ecdh = createECDH("prime256v1");
  const privateKey = createHash("sha256").update(seed).digest();
  ecdh.setPrivateKey(privateKey);
  return { VAPID_PUBLIC_KEY: ecdh.getPublicKey().toString("base64url"), VAPID_PRIVATE_KEY: privateKey.toString("base64url") };
}
