import { expect } from "vitest";
import { type Client, cookieHeader, ORIGIN, type Reply, storeCookies } from "./client.ts";

/**
 * Plays the browser's part at the provider: follows the authorization URL through its redirects (with the
 * browser's cookies there) until the provider sends the browser back to the app. Returns that callback's
 * path and query. `edit` changes the authorization request first (as a meddling page could).
 */
export async function throughProvider(authorizationUrl: string, edit: (url: URL) => void = () => undefined): Promise<string> {
  const jar = new Map<string, string>();
  const start = new URL(authorizationUrl);
  edit(start);
  let next = start.href;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(next, { redirect: "manual", headers: { Cookie: cookieHeader(jar) } });
    storeCookies(jar, response.headers);
    const location = response.headers.get("Location");
    if (!location) throw new Error(`the provider answered ${response.status}: ${await response.text()}`);
    await response.body?.cancel();
    const target = new URL(location, next);
    if (target.origin === ORIGIN) return target.pathname + target.search;
    next = target.href;
  }
  throw new Error("the provider never sent the browser back");
}

/** Begins a sign-in at `provider` (the OpenID provider `test` unless told) as `client`; returns the authorization URL. */
export async function begin(client: Client, provider = "test", attach = false): Promise<string> {
  const reply = await client.request("POST", `/api/auth/oidc/${provider}/start`, attach ? { attach } : {});
  expect(reply.status).toBe(200);
  return reply.body.url;
}

/** Checks that a callback's answer signed `client` in and sent it home; returns the being it is now. */
export async function signedInHome(client: Client, reply: Reply) {
  expect(reply.status).toBe(303);
  expect(reply.headers.get("Location")).toBe("/");
  expect(reply.headers.get("Set-Cookie")).toMatch(/session=.*HttpOnly/);
  return (await client.request("GET", "/api/me")).body.being;
}
