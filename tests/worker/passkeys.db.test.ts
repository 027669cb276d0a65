import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { register, SoftAuthenticator } from "./authenticator.ts";
import { Client, databaseFingerprint, db, guest, ORIGIN, space } from "./client.ts";

/** Signs `client` in with the authenticator's first credential, sending `headers` as well. */
async function signIn(client: Client, authenticator: SoftAuthenticator, headers: Record<string, string> = {}) {
  const { body } = await client.request("POST", "/api/auth/passkeys/signin/options");
  const credential = await authenticator.signIn(body.options);
  return { credential, reply: await client.request("POST", "/api/auth/passkeys/signin", { credential }, headers) };
}

const count = async (table: "passkeys" | "sessions" | "auth_challenges", beingId?: string) => {
  const [row] = await db<{ n: number }>(
    beingId ? sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE being_id = ${beingId}` : sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`,
  );
  return row!.n;
};

describe("passkeys", () => {
  it("a guest saves itself with a passkey and another browser signs in as the same being, its messages its own", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const posted = await ada.request("POST", `/api/spaces/${encodeURIComponent(room.id)}/intentions`, { content: "hello from my laptop" });
    const authenticator = new SoftAuthenticator(ORIGIN);

    const registered = await register(ada, authenticator);
    expect(registered.status).toBe(201);
    expect(registered.body.passkey).toMatchObject({ id: authenticator.credentials.length && expect.any(String), label: "Chrome on Linux", lastUsedAt: null });
    expect((await ada.request("GET", "/api/me")).body.being).toMatchObject({ id: ada.id, name: "Ada", type: "guest" });

    const phone = new Client();
    const { reply } = await signIn(phone, authenticator);
    expect(reply.status).toBe(200);
    expect(reply.body.being.id).toBe(ada.id);
    expect(reply.headers.get("Set-Cookie")).toMatch(/HttpOnly/);
    expect((await phone.request("GET", "/api/me")).body.being.id).toBe(ada.id);
    const edit = await phone.request("PATCH", `/api/intentions/${encodeURIComponent(posted.body.intention.id)}`, { content: "edited from my phone" });
    expect(edit.status).toBe(200);
    const listed = await phone.request("GET", "/api/auth/passkeys");
    expect(listed.body.passkeys).toHaveLength(1);
    expect(listed.body.passkeys[0].lastUsedAt).not.toBeNull();
  });

  it("signing in with another being's passkey ends the guest session it replaces, and never changes either being", async () => {
    const ada = await guest("Ada");
    const authenticator = new SoftAuthenticator(ORIGIN);
    expect((await register(ada, authenticator)).status).toBe(201);
    const bob = await guest("Bob");
    const bobCookie = bob.cookie;
    const { reply } = await signIn(bob, authenticator);
    expect(reply.body.being.id).toBe(ada.id);
    const stale = new Client();
    stale.cookie = bobCookie;
    expect((await stale.request("GET", "/api/me")).status).toBe(401);
    const [row] = await db(sql`SELECT name, type FROM beings WHERE id = ${bob.id}`);
    expect(row).toEqual({ name: "Bob", type: "guest" });
  });

  it("a registration challenge is good once: the same answer again is refused and adds nothing", async () => {
    const ada = await guest("Ada");
    const authenticator = new SoftAuthenticator(ORIGIN);
    const { body } = await ada.request("POST", "/api/auth/passkeys/register/options");
    const credential = await authenticator.register(body.options);
    expect((await ada.request("POST", "/api/auth/passkeys/register", { credential })).status).toBe(201);
    const replay = await ada.request("POST", "/api/auth/passkeys/register", { credential });
    expect(replay.status).toBe(400);
    expect(replay.body.error.message).toMatch(/used already or expired/);
    expect(await count("passkeys", ada.id)).toBe(1);
  });

  it("a sign-in challenge is good once: a replayed assertion starts no session", async () => {
    const ada = await guest("Ada");
    const authenticator = new SoftAuthenticator(ORIGIN);
    await register(ada, authenticator);
    const { credential, reply } = await signIn(new Client(), authenticator);
    expect(reply.status).toBe(200);
    const sessions = await count("sessions", ada.id);
    const before = await databaseFingerprint();
    const replay = await new Client().request("POST", "/api/auth/passkeys/signin", { credential });
    expect(replay.status).toBe(401);
    expect(replay.headers.get("Set-Cookie")).toBeNull();
    expect(await count("sessions", ada.id)).toBe(sessions);
    expect(await databaseFingerprint()).toBe(before);
  });

  it("an expired challenge is refused, for registration and for sign-in", async () => {
    const ada = await guest("Ada");
    const authenticator = new SoftAuthenticator(ORIGIN);
    const { body } = await ada.request("POST", "/api/auth/passkeys/register/options");
    await db(sql`UPDATE auth_challenges SET expires_at = now() - interval '1 second' WHERE id = ${body.options.challenge}`);
    const late = await ada.request("POST", "/api/auth/passkeys/register", { credential: await authenticator.register(body.options) });
    expect(late.status).toBe(400);
    expect(await count("passkeys", ada.id)).toBe(0);

    await register(ada, authenticator);
    const phone = new Client();
    const options = (await phone.request("POST", "/api/auth/passkeys/signin/options")).body.options;
    await db(sql`UPDATE auth_challenges SET expires_at = now() - interval '1 second' WHERE id = ${options.challenge}`);
    const before = await databaseFingerprint();
    const lateSignIn = await phone.request("POST", "/api/auth/passkeys/signin", { credential: await authenticator.signIn(options) });
    expect(lateSignIn.status).toBe(401);
    expect(await databaseFingerprint()).toBe(before);
  });

  it("a passkey made for another origin is refused, and so is an assertion made on another origin", async () => {
    const ada = await guest("Ada");
    const elsewhere = new SoftAuthenticator("https://evil.test");
    const { body } = await ada.request("POST", "/api/auth/passkeys/register/options");
    const foreign = await elsewhere.register({ ...body.options, rp: { ...body.options.rp, id: "evil.test" } });
    const refused = await ada.request("POST", "/api/auth/passkeys/register", { credential: foreign });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("VALIDATION");
    expect(await count("passkeys", ada.id)).toBe(0);

    // A page on another origin relaying our challenge: the client data names that origin.
    const { body: again } = await ada.request("POST", "/api/auth/passkeys/register/options");
    const relayed = await elsewhere.register(again.options);
    expect((await ada.request("POST", "/api/auth/passkeys/register", { credential: relayed })).status).toBe(400);
    expect(await count("passkeys", ada.id)).toBe(0);

    const own = new SoftAuthenticator(ORIGIN);
    await register(ada, own);
    const phone = new Client();
    const options = (await phone.request("POST", "/api/auth/passkeys/signin/options")).body.options;
    const phished = Object.assign(new SoftAuthenticator("https://evil.test"), { credentials: own.credentials });
    const before = await databaseFingerprint();
    const reply = await phone.request("POST", "/api/auth/passkeys/signin", { credential: await phished.signIn(options) });
    expect(reply.status).toBe(401);
    expect(reply.body.error.message).toMatch(/origin/i);
    expect(await databaseFingerprint()).toBe(before);
  });

  it("a counter that goes backwards (a cloned authenticator) is refused and the stored counter kept", async () => {
    const ada = await guest("Ada");
    const authenticator = new SoftAuthenticator(ORIGIN);
    await register(ada, authenticator);
    await signIn(new Client(), authenticator);
    await signIn(new Client(), authenticator);
    const [stored] = await db<{ counter: string }>(sql`SELECT counter::text FROM passkeys WHERE being_id = ${ada.id}`);
    expect(stored!.counter).toBe("2");
    authenticator.credentials[0]!.counter = 0; // the clone signs with counter 1
    const sessions = await count("sessions", ada.id);
    const { reply } = await signIn(new Client(), authenticator);
    expect(reply.status).toBe(401);
    expect(reply.body.error.message).toMatch(/counter/i);
    expect(await count("sessions", ada.id)).toBe(sessions);
    expect((await db<{ counter: string }>(sql`SELECT counter::text FROM passkeys WHERE being_id = ${ada.id}`))[0]!.counter).toBe("2");
  });

  it("at least one way in must remain: the last passkey cannot be removed, another one can", async () => {
    const ada = await guest("Ada");
    const laptop = new SoftAuthenticator(ORIGIN);
    const phone = new SoftAuthenticator(ORIGIN);
    const first = (await register(ada, laptop)).body.passkey.id;
    const last = await ada.request("DELETE", `/api/auth/passkeys/${first}`);
    expect(last.status).toBe(409);
    expect(last.body.error).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/at least one way in/) });
    expect(await count("passkeys", ada.id)).toBe(1);

    const second = (await register(ada, phone)).body.passkey.id;
    expect((await ada.request("DELETE", `/api/auth/passkeys/${first}`)).status).toBe(204);
    expect((await ada.request("DELETE", `/api/auth/passkeys/${second}`)).status).toBe(409);
    expect((await ada.request("GET", "/api/auth/passkeys")).body.passkeys.map((p: { id: string }) => p.id)).toEqual([second]);
    // The removed passkey no longer signs in.
    expect((await signIn(new Client(), laptop)).reply.status).toBe(401);
  });

  it("two removals at once cannot take away both of the last two ways in", async () => {
    const ada = await guest("Ada");
    const ids = [(await register(ada, new SoftAuthenticator(ORIGIN))).body.passkey.id, (await register(ada, new SoftAuthenticator(ORIGIN))).body.passkey.id];
    const replies = await Promise.all(ids.map((id) => ada.request("DELETE", `/api/auth/passkeys/${id}`)));
    expect(replies.map((r) => r.status).sort()).toEqual([204, 409]);
    expect(await count("passkeys", ada.id)).toBe(1);
  });

  it("a passkey of another being cannot be removed, nor listed", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const authenticator = new SoftAuthenticator(ORIGIN);
    const [id] = [(await register(ada, authenticator)).body.passkey.id, (await register(ada, new SoftAuthenticator(ORIGIN))).body.passkey.id];
    expect((await bob.request("DELETE", `/api/auth/passkeys/${id}`)).status).toBe(404);
    expect((await bob.request("DELETE", "/api/auth/passkeys/not%20base64url")).status).toBe(400);
    expect((await bob.request("GET", "/api/auth/passkeys")).body.passkeys).toEqual([]);
    expect(await count("passkeys", ada.id)).toBe(2);
  });

  it("registering needs a session; malformed answers are VALIDATION and write nothing", async () => {
    expect((await new Client().request("POST", "/api/auth/passkeys/register/options")).status).toBe(401);
    const ada = await guest("Ada");
    const before = await databaseFingerprint();
    for (const credential of [{}, { id: "x", rawId: "x", type: "public-key", response: { clientDataJSON: "!!" }, clientExtensionResults: {} }, { id: "x", rawId: "x", type: "public-key", response: { clientDataJSON: "e30" }, clientExtensionResults: {} }]) {
      const reply = await ada.request("POST", "/api/auth/passkeys/register", { credential });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
    expect(await databaseFingerprint()).toBe(before);
  });
});

describe("devices", () => {
  it("lists the being's sessions with labels and marks this one; another is signed out remotely", async () => {
    const ada = await guest("Ada");
    const authenticator = new SoftAuthenticator(ORIGIN);
    await register(ada, authenticator);
    const phone = new Client();
    await signIn(phone, authenticator, {
      "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
    });
    const listed = await ada.request("GET", "/api/auth/sessions");
    expect(listed.status).toBe(200);
    expect(listed.body.sessions).toHaveLength(2);
    const mine = listed.body.sessions.find((s: { current: boolean }) => s.current);
    const theirs = listed.body.sessions.find((s: { current: boolean }) => !s.current);
    expect(theirs).toMatchObject({ label: "Safari on iOS", id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(JSON.stringify(listed.body)).not.toContain(phone.cookie!.split("=")[1]!.split(".")[0]);

    expect((await ada.request("DELETE", `/api/auth/sessions/${theirs.id}`)).status).toBe(204);
    expect((await phone.request("GET", "/api/me")).status).toBe(401);
    expect((await ada.request("GET", "/api/me")).status).toBe(200);

    const own = await ada.request("DELETE", `/api/auth/sessions/${mine.id}`);
    expect(own.status).toBe(204);
    expect(own.headers.get("Set-Cookie")).toMatch(/session=;/);
  });

  it("another being's session cannot be signed out; a malformed id is VALIDATION; anonymous is 401", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const bobs = (await bob.request("GET", "/api/auth/sessions")).body.sessions[0].id;
    expect((await ada.request("DELETE", `/api/auth/sessions/${bobs}`)).status).toBe(404);
    expect((await bob.request("GET", "/api/me")).status).toBe(200);
    expect((await ada.request("DELETE", "/api/auth/sessions/not-a-uuid")).status).toBe(400);
    expect((await new Client().request("GET", "/api/auth/sessions")).status).toBe(401);
  });
});
