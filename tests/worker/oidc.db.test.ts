import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { randomId } from "../../src/shared/ids.ts";
import { register, SoftAuthenticator } from "./authenticator.ts";
import { Client, databaseFingerprint, db, guest, ORIGIN } from "./client.ts";
import { begin, signedInHome, throughProvider } from "./provider-flow.ts";

/** Through the provider as the person `account` (`login_hint` chooses it); returns the callback's path and query. */
async function atProvider(client: Client, account: string, options: { provider?: string; attach?: boolean } = {}): Promise<string> {
  return throughProvider(await begin(client, options.provider, options.attach), (url) => url.searchParams.set("login_hint", account));
}

/** A whole sign-in as the person `account` at the provider; returns the callback's answer. */
async function signIn(client: Client, account: string, options: { provider?: string; attach?: boolean } = {}) {
  return client.request("GET", await atProvider(client, account, options));
}

const person = () => `p${randomId(8)}`;

const linked = async (subject: string) => db<{ being_id: string }>(sql`SELECT being_id FROM identities WHERE subject = ${subject}`);

describe("OpenID Connect sign-in", () => {
  it("lists the configured providers, and never a secret", async () => {
    const reply = await new Client().request("GET", "/api/auth/providers");
    expect(reply.status).toBe(200);
    expect(reply.body.providers).toEqual([
      { id: "test", name: "Test ID" },
      { id: "slow", name: "Slow clock ID" },
      { id: "github", name: "GitHub" },
    ]);
    expect((await new Client().request("POST", "/api/auth/oidc/google/start", {})).status).toBe(404);
  });

  it("asks for the code with PKCE (S256), a state and a nonce, and binds the state to this browser", async () => {
    const client = new Client();
    const url = new URL(await begin(client));
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "spaces",
      redirect_uri: `${ORIGIN}/api/auth/oidc/test/callback`,
      code_challenge_method: "S256",
      scope: "openid profile",
    });
    for (const param of ["code_challenge", "state", "nonce"]) expect(url.searchParams.get(param)).toMatch(/^[\w-]{43,}$/);
    expect(client.jar.has("signin_state")).toBe(true);
  });

  it("a first sign-in creates a being; the next one, from anywhere, signs into the same being", async () => {
    const account = person();
    const laptop = new Client();
    const me = await signedInHome(laptop, await signIn(laptop, account));
    expect(me).toMatchObject({ name: `Person ${account}`, type: "guest" });
    expect(await linked(account)).toEqual([{ being_id: me.id }]);

    const phone = new Client();
    expect((await signIn(phone, account)).headers.get("Location")).toBe("/");
    expect((await phone.request("GET", "/api/me")).body.being.id).toBe(me.id);
    expect(await linked(account)).toHaveLength(1);
  });

  it("a guest saves itself with a provider and keeps its being; signing in elsewhere reaches it", async () => {
    const ada = await guest("Ada");
    const account = person();
    const saved = await signIn(ada, account, { attach: true });
    expect(saved.headers.get("Location")).toBe("/account");
    expect((await ada.request("GET", "/api/me")).body.being).toMatchObject({ id: ada.id, name: "Ada" });
    expect((await ada.request("GET", "/api/auth/identities")).body.identities).toEqual([{ provider: "test", name: "Test ID", createdAt: expect.any(String) }]);

    const phone = new Client();
    await signIn(phone, account);
    expect((await phone.request("GET", "/api/me")).body.being.id).toBe(ada.id);
  });

  it("signing in as a guest with an identity linked to another being signs into that being, changing neither", async () => {
    const account = person();
    const owner = new Client();
    await signIn(owner, account);
    const ownerId = (await owner.request("GET", "/api/me")).body.being.id;
    const bob = await guest("Bob");
    await signIn(bob, account);
    expect((await bob.request("GET", "/api/me")).body.being.id).toBe(ownerId);
    expect(await db(sql`SELECT name FROM beings WHERE id = ${bob.id}`)).toEqual([{ name: "Bob" }]);
  });

  it("attaching an identity linked to another being is refused with a conflict, and writes nothing", async () => {
    const account = person();
    await signIn(new Client(), account);
    const bob = await guest("Bob");
    const callback = await atProvider(bob, account, { attach: true });
    const before = await databaseFingerprint();
    const reply = await bob.request("GET", callback);
    expect(reply.headers.get("Location")).toBe("/account?signin_error=conflict");
    expect(await databaseFingerprint()).toBe(before);
    expect((await bob.request("GET", "/api/me")).body.being.id).toBe(bob.id);
    expect((await bob.request("GET", "/api/auth/identities")).body.identities).toEqual([]);
  });

  it("a tampered state is refused and writes nothing; so is a callback in a browser that did not begin it", async () => {
    const client = new Client();
    const callback = await atProvider(client, person());
    const before = await databaseFingerprint();
    const tampered = callback.replace(/state=([^&]+)/, (_m, state: string) => `state=${state.slice(0, -2)}xx`);
    const reply = await client.request("GET", tampered);
    expect(reply.status).toBe(303);
    expect(reply.headers.get("Location")).toBe("/?signin_error=expired");
    expect(reply.headers.get("Set-Cookie")).not.toMatch(/session=[^;]/);

    const otherBrowser = new Client();
    const forced = await atProvider(new Client(), person());
    expect((await otherBrowser.request("GET", forced)).headers.get("Location")).toBe("/?signin_error=expired");
    expect(await databaseFingerprint()).toBe(before);
  });

  it("a replayed code is refused and writes nothing: the same callback again, and the code under a new state", async () => {
    const client = new Client();
    const account = person();
    const callback = await atProvider(client, account);
    const code = new URL(callback, ORIGIN).searchParams.get("code")!;
    expect((await client.request("GET", callback)).headers.get("Location")).toBe("/");
    const before = await databaseFingerprint();

    // Signed in by the first use, the browser is sent to the account page, where the message shows.
    expect((await client.request("GET", callback)).headers.get("Location")).toBe("/account?signin_error=expired");

    const fresh = new Client();
    const state = new URL(await begin(fresh)).searchParams.get("state")!;
    const replayed = await fresh.request("GET", `/api/auth/oidc/test/callback?code=${encodeURIComponent(code)}&state=${state}&iss=${encodeURIComponent(new URL(callback, ORIGIN).searchParams.get("iss")!)}`);
    expect(replayed.headers.get("Location")).toBe("/?signin_error=failed");
    expect(await databaseFingerprint()).toBe(before);
  });

  it("an ID token with another nonce (an authorization request not ours) is refused and writes nothing", async () => {
    const client = new Client();
    const account = person();
    const callback = await throughProvider(await begin(client), (u) => {
      u.searchParams.set("login_hint", account);
      u.searchParams.set("nonce", "a-nonce-someone-else-chose-0123456789abcdefghijkl");
    });
    const before = await databaseFingerprint();
    const reply = await client.request("GET", callback);
    expect(reply.headers.get("Location")).toBe("/?signin_error=failed");
    expect(await databaseFingerprint()).toBe(before);
    expect(await linked(account)).toEqual([]);
  });

  it("an expired ID token (from a provider whose clock is two hours behind) is refused and writes nothing", async () => {
    const client = new Client();
    const account = person();
    const callback = await atProvider(client, account, { provider: "slow" });
    const before = await databaseFingerprint();
    const warnings = vi.spyOn(console, "warn");
    const reply = await client.request("GET", callback);
    expect(reply.headers.get("Location")).toBe("/?signin_error=failed");
    expect(warnings.mock.calls.flat().join("\n")).toMatch(/exp\W+\(expiration time\) claim value, expiration is past/);
    warnings.mockRestore();
    expect(await databaseFingerprint()).toBe(before);
    expect(await linked(account)).toEqual([]);
  });

  it("a person who says no at the provider lands back with access denied, and nothing is written", async () => {
    const client = new Client();
    const callback = await atProvider(client, "deny");
    expect(new URL(callback, ORIGIN).searchParams.get("error")).toBe("access_denied");
    const before = await databaseFingerprint();
    const reply = await client.request("GET", callback);
    expect(reply.headers.get("Location")).toBe("/?signin_error=denied");
    expect(await databaseFingerprint()).toBe(before);
  });

  it("the last way in cannot be unlinked; with a passkey as well, the identity can", async () => {
    const client = new Client();
    await signIn(client, person());
    const refused = await client.request("DELETE", "/api/auth/identities/test");
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("CONFLICT");
    expect((await register(client, new SoftAuthenticator(ORIGIN))).status).toBe(201);
    expect((await client.request("DELETE", "/api/auth/identities/test")).status).toBe(204);
    expect((await client.request("GET", "/api/auth/identities")).body.identities).toEqual([]);
  });
});
