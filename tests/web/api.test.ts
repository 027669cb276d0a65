import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/shared/errors.ts";
import { deleteIntention, getChanges, getMe, getSpace, isRetryable, OfflineError, patchBeing } from "../../src/web/api.ts";
import { apiError, databaseDown, fakeServer, json, networkDown } from "./support/fake-server.ts";
import { at, guest, said, snapshot, upsert } from "./support/fixtures.ts";

afterEach(() => vi.restoreAllMocks());

describe("the API client", () => {
  it("turns the contract's timestamps back into Dates", async () => {
    fakeServer({
      "GET /api/spaces/%40s": () => json(snapshot()),
      "GET /api/spaces/%40s/changes": () => json({ changes: [upsert(6, said("/c", 3))], seq: 6, hasMore: false }),
    });
    const space = await getSpace("@s");
    expect(space.intentions[0].createdAt).toEqual(said("/a", 1).createdAt);
    expect(space.space.modifiedAt).toBeInstanceOf(Date);
    const { changes } = await getChanges("@s", 5);
    expect(changes[0].at).toBeInstanceOf(Date);
    expect(changes[0].data?.createdAt).toBeInstanceOf(Date);
  });

  it("turns the presence's last-seen times, keyed by being id, into Dates", async () => {
    fakeServer({ "GET /api/spaces/%40s": () => json(snapshot({ presence: { lastSeen: { "@amy": at(5) }, awayListedSeconds: 600 } })) });
    const { presence } = await getSpace("@s");
    expect(presence.lastSeen["@amy"]).toEqual(at(5));
  });

  it("leaves what people wrote as it came: a date-like key in properties or content stays a string", async () => {
    const written = { at: "2026-11-20", createdAt: "tomorrow" };
    const ada = guest("@ada", { properties: written, content: [{ type: "note", props: written }] });
    fakeServer({ "GET /api/me": () => json({ being: ada, superuser: false }) });
    const me = await getMe();
    expect(me?.being.properties).toEqual(written);
    expect(me?.being.content).toEqual([{ type: "note", props: written }]);
    expect(me?.being.createdAt).toBeInstanceOf(Date);
  });

  it("throws ApiError with the contract's code, message and status", async () => {
    fakeServer({ "PATCH /api/beings/%40ada": () => apiError(403, "FORBIDDEN", "only the owner may change a being") });
    const failure = await patchBeing("@ada", { name: "x" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: "FORBIDDEN", message: "only the owner may change a being", status: 403 });
    expect(isRetryable(failure)).toBe(false);
  });

  it("maps an error without the contract's body (a proxy's page) by its status", async () => {
    fakeServer({ "GET /api/spaces/%40s": () => new Response("<html>Bad gateway</html>", { status: 503 }) });
    const failure = await getSpace("@s").catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "UNAVAILABLE", status: 503 });
    expect(isRetryable(failure)).toBe(true);
  });

  it("reads Retry-After into the error, as seconds or as a date; a gateway's 502 or 504 is retryable too", async () => {
    fakeServer({
      "GET /api/spaces/%40s": () => databaseDown(7),
      "GET /api/spaces/%40d": () => new Response("busy", { status: 503, headers: { "Retry-After": new Date(Date.now() + 120_000).toUTCString() } }),
      "GET /api/spaces/%40g": () => new Response("<html>Bad gateway</html>", { status: 502 }),
      "GET /api/spaces/%40t": () => new Response("<html>Gateway timeout</html>", { status: 504 }),
    });
    const down = await getSpace("@s").catch((error: unknown) => error);
    expect(down).toMatchObject({ code: "UNAVAILABLE", status: 503, retryAfter: 7, message: "the database cannot be reached: retry shortly" });
    const dated = (await getSpace("@d").catch((error: unknown) => error)) as ApiError;
    expect(dated.retryAfter).toBeGreaterThan(110);
    expect(dated.retryAfter).toBeLessThanOrEqual(120);
    for (const gateway of ["@g", "@t"] as const) {
      const failure = await getSpace(gateway).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: "UNAVAILABLE", retryAfter: undefined });
      expect(isRetryable(failure)).toBe(true);
    }
  });

  it("throws OfflineError, a retryable one, when the request never reaches the server", async () => {
    fakeServer({ "GET /api/spaces/%40s": () => networkDown() });
    const failure = await getSpace("@s").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OfflineError);
    expect(isRetryable(failure)).toBe(true);
  });

  it("encodes intention ids (they start with '/') into the path and sends the session cookie", async () => {
    const server = fakeServer({ "DELETE /api/intentions/%2F01ABC": () => new Response(null, { status: 204 }) });
    await deleteIntention("/01ABC");
    expect(server.calls).toMatchObject([{ method: "DELETE", url: "/api/intentions/%2F01ABC", credentials: "same-origin" }]);
  });

  it("answers null for who-am-I without a session, and the being with one", async () => {
    let signedIn = false;
    fakeServer({ "GET /api/me": () => (signedIn ? json({ being: guest("@ada"), superuser: false }) : apiError(401, "UNAUTHENTICATED")) });
    expect(await getMe()).toBeNull();
    signedIn = true;
    expect(await getMe()).toMatchObject({ being: { id: "@ada" }, superuser: false });
  });
});
