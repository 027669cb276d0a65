/** The session cookie: a random session id, HMAC-signed so it cannot be forged, HttpOnly. */
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { SESSION_TTL_SECONDS } from "../db/queries/sessions.ts";
import type { AppEnv } from "../env.ts";

const COOKIE = "session";

/** A new unguessable session id (256 bits). */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// Browsers refuse Secure cookies over plain http, which local development uses.
function isLocal(c: Context<AppEnv>): boolean {
  const { hostname, protocol } = new URL(c.req.url);
  return protocol === "http:" && (hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]");
}

/** The verified session id of the request, or null (absent or tampered cookie). */
export async function readSession(c: Context<AppEnv>): Promise<string | null> {
  const value = await getSignedCookie(c, c.env.SESSION_SECRET, COOKIE);
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure outside local development. */
export async function writeSession(c: Context<AppEnv>, sessionId: string): Promise<void> {
  await setSignedCookie(c, COOKIE, sessionId, c.env.SESSION_SECRET, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: !isLocal(c),
    maxAge: SESSION_TTL_SECONDS,
  });
}

/** Clears the session cookie. */
export function clearSession(c: Context<AppEnv>): void {
  deleteCookie(c, COOKIE, { path: "/", secure: !isLocal(c) });
}
