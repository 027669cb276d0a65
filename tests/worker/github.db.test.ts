import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { randomId } from "../../src/shared/ids.ts";
import { Client, databaseFingerprint, db, guest, ORIGIN } from "./client.ts";
import { begin, signedInHome, throughProvider } from "./provider-flow.ts";

// The local GitHub (tests/support/fake-github.ts) is the suite's `github` provider, at its `url`.
const GITHUB_URL = (JSON.parse(env.AUTH_PROVIDERS) as Array<{ id: string; url?: string }>).find((p) => p.id === "github")!.url!;

/** Through GitHub as `login` (GitHub's `login` parameter chooses the account); returns the callback's path and query. */
async function atGitHub(client: Client, login: string, attach = false): Promise<string> {
  return throughProvider(await begin(client, "github", attach), (url) => url.searchParams.set("login", login));
}

/** A whole sign-in as `login`; returns the callback's answer. */
async function signIn(client: Client, login: string, attach = false) {
  return client.request("GET", await atGitHub(client, login, attach));
}

/** The numeric id GitHub gives `login`, as its public profile says. */
async function gitHubId(login: string): Promise<number> {
  const response = await fetch(`${GITHUB_URL}/api/v3/users/${login}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: number }).id;
}

const login = () => `octo-${randomId(8)}`;

const identitiesOf = (beingId: string) => db<{ provider: string; subject: string }>(sql`SELECT provider, subject FROM identities WHERE being_id = ${beingId}`);

describe("GitHub sign-in (OAuth 2.0 and the user API, at a local GitHub Enterprise Server)", () => {
  it("asks GitHub's authorize endpoint at the configured url for a code with PKCE (S256) and a state, without a nonce", async () => {
    const url = new URL(await begin(new Client(), "github"));
    expect(url.origin + url.pathname).toBe(`${GITHUB_URL}/login/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      redirect_uri: `${ORIGIN}/api/auth/oidc/github/callback`,
      code_challenge_method: "S256",
      scope: "read:user",
    });
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{43,}$/);
    expect(url.searchParams.has("nonce")).toBe(false);
  });

  it("a first sign-in creates a being named from GitHub and links GitHub's numeric id; the next, from anywhere, reaches it", async () => {
    const account = login();
    const laptop = new Client();
    const me = await signedInHome(laptop, await signIn(laptop, account));
    expect(me).toMatchObject({ name: `GitHub ${account}`, type: "guest" });
    expect(await identitiesOf(me.id)).toEqual([{ provider: "github", subject: String(await gitHubId(account)) }]);

    const phone = new Client();
    expect((await signIn(phone, account)).headers.get("Location")).toBe("/");
    expect((await phone.request("GET", "/api/me")).body.being.id).toBe(me.id);
    expect(await identitiesOf(me.id)).toHaveLength(1);
  });

  it("a GitHub account without a name gives the being its login", async () => {
    const client = new Client();
    const account = `${login()}-noname`;
    await signIn(client, account);
    expect((await client.request("GET", "/api/me")).body.being.name).toBe(account);
  });

  it("a guest saves itself with GitHub and keeps its being; signing in elsewhere reaches it", async () => {
    const ada = await guest("Ada");
    const account = login();
    expect((await signIn(ada, account, true)).headers.get("Location")).toBe("/account");
    expect((await ada.request("GET", "/api/me")).body.being).toMatchObject({ id: ada.id, name: "Ada" });
    expect((await ada.request("GET", "/api/auth/identities")).body.identities).toEqual([{ provider: "github", name: "GitHub", createdAt: expect.any(String) }]);
    expect(await identitiesOf(ada.id)).toEqual([{ provider: "github", subject: String(await gitHubId(account)) }]);

    const phone = new Client();
    await signIn(phone, account);
    expect((await phone.request("GET", "/api/me")).body.being.id).toBe(ada.id);
  });

  it("a tampered state is refused and writes nothing", async () => {
    const client = new Client();
    const callback = await atGitHub(client, login());
    const before = await databaseFingerprint();
    const tampered = callback.replace(/state=([^&]+)/, (_m, state: string) => `state=${state.slice(0, -2)}xx`);
    const reply = await client.request("GET", tampered);
    expect(reply.headers.get("Location")).toBe("/?signin_error=expired");
    expect(reply.headers.get("Set-Cookie")).not.toMatch(/session=[^;]/);
    expect(await databaseFingerprint()).toBe(before);
  });

  it("a replayed code is refused with GitHub's bad_verification_code, and writes nothing", async () => {
    const client = new Client();
    const callback = await atGitHub(client, login());
    const code = new URL(callback, ORIGIN).searchParams.get("code")!;
    expect((await client.request("GET", callback)).headers.get("Location")).toBe("/");
    const before = await databaseFingerprint();

    const fresh = new Client();
    const state = new URL(await begin(fresh, "github")).searchParams.get("state")!;
    const warnings = vi.spyOn(console, "warn");
    const replayed = await fresh.request("GET", `/api/auth/oidc/github/callback?code=${encodeURIComponent(code)}&state=${state}`);
    expect(replayed.headers.get("Location")).toBe("/?signin_error=failed");
    expect(warnings.mock.calls.flat().join("\n")).toMatch(/refused the code: bad_verification_code/);
    warnings.mockRestore();
    expect(await databaseFingerprint()).toBe(before);
  });

  it("a code from another authorization (its PKCE verifier is not ours) is refused and writes nothing", async () => {
    const client = new Client();
    // Someone else's authorization request, with their own challenge, sent back to this browser's state.
    const callback = await atGitHub(client, login());
    const theirs = await atGitHub(new Client(), login());
    const swapped = callback.replace(/code=([^&]+)/, `code=${new URL(theirs, ORIGIN).searchParams.get("code")}`);
    const before = await databaseFingerprint();
    expect((await client.request("GET", swapped)).headers.get("Location")).toBe("/?signin_error=failed");
    expect(await databaseFingerprint()).toBe(before);
  });

  it("a person who says no at GitHub lands back with access denied, and nothing is written", async () => {
    const client = new Client();
    const callback = await atGitHub(client, "deny");
    expect(new URL(callback, ORIGIN).searchParams.get("error")).toBe("access_denied");
    const before = await databaseFingerprint();
    const reply = await client.request("GET", callback);
    expect(reply.headers.get("Location")).toBe("/?signin_error=denied");
    expect(await databaseFingerprint()).toBe(before);
  });
});
