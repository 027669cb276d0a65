/**
 * VAPID (RFC 8292): the push service learns which application server sends, by a short-lived ES256 JWT signed with
 * the server's key, whose public half browsers were given when they subscribed (applicationServerKey).
 */
import { fromBase64url, toBase64url } from "../../shared/signing.ts";

/** The server's VAPID key pair as the secrets hold it (what `web-push generate-vapid-keys` prints), and its contact. */
export interface VapidKeys {
  /** base64url of the uncompressed P-256 point (65 bytes). */
  publicKey: string;
  /** base64url of the private scalar (32 bytes). */
  privateKey: string;
  /** A mailto: or https: contact for the push services' operators; omitted from the JWT when empty. */
  subject: string;
}

/** How long a token is good for: RFC 8292 allows at most 24 hours; push services reject much longer ones. */
const TOKEN_SECONDS = 12 * 3600;

const encoder = new TextEncoder();

/** The signing key: WebCrypto takes a P-256 private key as a JWK, with its public point's coordinates. */
async function signingKey(keys: VapidKeys): Promise<CryptoKey> {
  const point = fromBase64url(keys.publicKey);
  if (point.length !== 65 || point[0] !== 4) throw new Error("VAPID_PUBLIC_KEY is not an uncompressed P-256 point");
  const jwk: JsonWebKey = {
    kty: "EC",
    crv: "P-256",
    x: toBase64url(point.subarray(1, 33)),
    y: toBase64url(point.subarray(33)),
    d: keys.privateKey,
  };
  return crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
}

/** The Authorization header for a push to `endpoint`: `vapid t=<JWT for its origin>, k=<public key>`. */
export async function vapidAuthorization(endpoint: string, keys: VapidKeys, now = Date.now()): Promise<string> {
  const header = { typ: "JWT", alg: "ES256" };
  const claims = {
    aud: new URL(endpoint).origin,
    exp: Math.floor(now / 1000) + TOKEN_SECONDS,
    ...(keys.subject ? { sub: keys.subject } : {}),
  };
  const unsigned = `${toBase64url(encoder.encode(JSON.stringify(header)))}.${toBase64url(encoder.encode(JSON.stringify(claims)))}`;
  // WebCrypto's ECDSA signature is r‖s, exactly JWS's ES256 form.
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, await signingKey(keys), encoder.encode(unsigned));
  return `vapid t=${unsigned}.${toBase64url(new Uint8Array(signature))}, k=${keys.publicKey}`;
}
