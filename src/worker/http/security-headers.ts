/**
 * The headers every response carries (API and app alike), and the app document's Content-Security-
 * Policy: exactly what the app uses (its own origin, the LiveKit server), no inline script, no framing.
 * User markdown is already sanitised; the CSP is the second wall behind it.
 */
import { livekitConfig } from "../sync/livekit.ts";
import { isLoopback } from "../../shared/loopback.ts";

/** Camera, microphone and screen capture for the app's own origin only; nothing else a page may ask for. */
const PERMISSIONS_POLICY = "camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()";

/** Headers for every response. HSTS only over HTTPS off localhost (local development is plain http). */
export function baseSecurityHeaders(url: URL): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",
    ...(url.protocol === "https:" && !isLoopback(url) ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/** The policy for the app's HTML: scripts and styles from the origin, connections to it and to LiveKit. */
export function contentSecurityPolicy(env: Pick<Env, "LIVEKIT_URL" | "LIVEKIT_API_KEY" | "LIVEKIT_API_SECRET">): string {
  const livekit = livekitConfig(env);
  // livekit-client opens the room's WebSocket and validates over HTTP(S) on the same host.
  const connect = ["'self'", ...(livekit ? [livekit.wsUrl, livekit.apiUrl] : [])].join(" ");
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Solid's templates carry style attributes; style elements stay same-origin.
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    `connect-src ${connect}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A copy of `response` with the security headers set (and the CSP, for an HTML document). */
export function withSecurityHeaders(response: Response, url: URL, env: Pick<Env, "LIVEKIT_URL" | "LIVEKIT_API_KEY" | "LIVEKIT_API_SECRET">): Response {
  const secured = new Response(response.body, response);
  for (const [name, value] of Object.entries(baseSecurityHeaders(url))) secured.headers.set(name, value);
  if (secured.headers.get("Content-Type")?.startsWith("text/html")) secured.headers.set("Content-Security-Policy", contentSecurityPolicy(env));
  return secured;
}
