/** The session cookie: a random session id, HMAC-signed so it cannot be forged, HttpOnly. */
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { MAX_USER_AGENT } from "../../shared/device-label.ts";
import { CHALLENGE_TTL_SECONDS } from "../db/queries/accounts.ts";
import { SESSION_TTL_SECONDS, type NewSession } from "../db/queries/sessions.ts";
import type { AppEnv } from "../env.ts";
import { isLoopback } from "../../shared/loopback.ts";

const COOKIE = "session";
/** Binds a provider sign-in to the browser that began it: the callback must come back with the same state. */
const FLOW_COOKIE = "signin_state";
const FLOW_PATH = "/api/auth/oidc";

/** A new unguessable session id (256 bits). */
function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A new session for this request's browser: a fresh id and its User-Agent (for the device list). */
export function newSession(c: Context<AppEnv>): NewSession {
  return { id: newSessionId(), userAgent: (c.req.header("User-Agent") ?? "").slice(0, MAX_USER_AGENT) };
}

// Browsers refuse Secure cookies over plain http, which local development uses.
function isLocal(c: Context<AppEnv>): boolean {
  const url = new URL(c.req.url);
  return url.protocol === "http:" && isLoopback(url);
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

/**
 * Remembers a provider sign-in's state in this browser. SameSite=Lax: the provider's redirect back is a
 * top-level GET navigation, which Lax cookies (this one and the session's) accompany.
 */
export async function writeFlowState(c: Context<AppEnv>, state: string): Promise<void> {
  await setSignedCookie(c, FLOW_COOKIE, state, c.env.SESSION_SECRET, {
    path: FLOW_PATH,
    httpOnly: true,
    sameSite: "Lax",
    secure: !isLocal(c),
    maxAge: CHALLENGE_TTL_SECONDS,
  });
}

/** The provider sign-in state this browser began, or null; the cookie is cleared (a state is good once). */
export async function takeFlowState(c: Context<AppEnv>): Promise<string | null> {
  const value = await getSignedCookie(c, c.env.SESSION_SECRET, FLOW_COOKIE);
  deleteCookie(c, FLOW_COOKIE, { path: FLOW_PATH, secure: !isLocal(c) });
  return typeof value === "string" && value.length > 0 ? value : null;
}
