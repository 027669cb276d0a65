// The session and the spaces cache it owns: who the app opens as before the server answers, and
// what the server's answer (or a sign-out) leaves in IndexedDB.
import "fake-indexeddb/auto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadSession, me, rename, signOut } from "../../src/web/session.ts";
import { fromSnapshot } from "../../src/web/sync/apply.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { appCache } from "../../src/web/sync/cache.ts";
import { apiError, deferred, fakeServer, json } from "./support/fake-server.ts";
import { guest, snapshot, SPACE } from "./support/fixtures.ts";

const ADA = { being: guest("@ada", { locationId: null }), superuser: false };
const BOB = { being: guest("@bob", { locationId: null }), superuser: false };

/** Ada signed in last time, and her space is kept. */
async function adaWasHere(): Promise<void> {
  await appCache.claim(ADA);
  await appCache.spaces("@ada").write(fromSnapshot(snapshot()));
}

afterEach(async () => {
  await appCache.wipe();
  vi.restoreAllMocks();
});

describe("the session and the cache", () => {
  it("opens as the cache's being while /api/me has not answered; another being's answer empties the cache", async () => {
    await adaWasHere();
    const answer = deferred<Response>();
    fakeServer({ "GET /api/me": () => answer.promise });
    const loading = loadSession({ delays: backoff(5, 5) });
    await vi.waitFor(() => expect(me()?.id).toBe("@ada"));

    answer.resolve(json(BOB));
    await loading;
    expect(me()?.id).toBe("@bob");
    await vi.waitFor(async () => expect((await appCache.owner())?.being.id).toBe("@bob"));
    expect(await appCache.spaces("@ada").read(SPACE)).toBeUndefined();
    expect(await appCache.spaces("@bob").read(SPACE)).toBeUndefined();
  });

  it("keeps the cache's being while the network is down", async () => {
    await adaWasHere();
    let down = true;
    const server = fakeServer({ "GET /api/me": () => (down ? new TypeError("Failed to fetch") : json(ADA)) });
    const loading = loadSession({ delays: backoff(5, 5) });
    await vi.waitFor(() => expect(server.callsTo("GET /api/me").length).toBeGreaterThan(2));
    expect(me()?.id).toBe("@ada");
    expect((await appCache.spaces("@ada").read(SPACE))?.last).toBe(5);
    // Back online: the same being, and its space still kept.
    down = false;
    await loading;
    expect(me()?.id).toBe("@ada");
    expect((await appCache.spaces("@ada").read(SPACE))?.last).toBe(5);
  });

  it("empties the cache when the server says nobody is signed in", async () => {
    await adaWasHere();
    fakeServer({ "GET /api/me": () => apiError(401, "UNAUTHENTICATED") });
    await loadSession({ delays: backoff(5, 5) });
    expect(me()).toBeNull();
    await vi.waitFor(async () => expect(await appCache.owner()).toBeUndefined());
    expect(await appCache.spaces("@ada").read(SPACE)).toBeUndefined();
  });

  it("signing out empties the cache before the app shows the sign-in page", async () => {
    await adaWasHere();
    fakeServer({ "GET /api/me": () => json(ADA), "POST /api/auth/signout": () => new Response(null, { status: 204 }) });
    await loadSession({ delays: backoff(5, 5) });
    await signOut();
    expect(me()).toBeNull();
    expect(await appCache.owner()).toBeUndefined();
    expect(await appCache.spaces("@ada").read(SPACE)).toBeUndefined();
  });
});

describe("renaming", () => {
  const RENAME = "PATCH /api/beings/%40ada";
  const conflict = (current: object) => json({ error: { code: "CONFLICT", message: "the being changed meanwhile", details: { current } } }, 409);
  /** Ada signed in, at version 1; `answer` answers her renames. */
  async function signedInAda(answer: (body: any, call: number) => Response) {
    let calls = 0;
    const server = fakeServer({ "GET /api/me": () => json(ADA), [RENAME]: (call) => answer(call.body, ++calls) });
    await loadSession({ delays: backoff(5, 5) });
    return server;
  }

  it("names the version it renames, and takes in the answer", async () => {
    const server = await signedInAda((body) => json({ being: { ...ADA.being, name: body.name, version: 2 } }));
    await rename("Ada L.");
    expect(server.callsTo(RENAME).map((call) => call.body)).toEqual([{ name: "Ada L.", ifVersion: 1 }]);
    expect(me()).toMatchObject({ name: "Ada L.", version: 2 });
  });

  it("tries once more over a change that kept the name (she entered a space), which is no rename overtaken", async () => {
    const moved = { ...ADA.being, locationId: SPACE, version: 2 };
    const server = await signedInAda((body, call) => (call === 1 ? conflict(moved) : json({ being: { ...moved, name: body.name, version: 3 } })));
    await rename("Ada L.");
    expect(server.callsTo(RENAME).map((call) => call.body)).toEqual([{ name: "Ada L.", ifVersion: 1 }, { name: "Ada L.", ifVersion: 2 }]);
    expect(me()).toMatchObject({ name: "Ada L.", version: 3 });
  });

  it("is refused when another device renamed her meanwhile, and shows that name (saving again writes over it)", async () => {
    const server = await signedInAda(() => conflict({ ...ADA.being, name: "Countess", version: 2 }));
    await expect(rename("Ada L.")).rejects.toMatchObject({ code: "CONFLICT" });
    expect(server.callsTo(RENAME)).toHaveLength(1);
    expect(me()).toMatchObject({ name: "Countess", version: 2 });
    expect(me()?.modifiedAt).toBeInstanceOf(Date);
  });
});
