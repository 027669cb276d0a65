// The first space's snapshot, asked for alongside GET /api/me on a browser that keeps nothing, and
// who may use it: only the session it was fetched for.
import "fake-indexeddb/auto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signOut } from "../../src/web/session.ts";
import { appCache } from "../../src/web/sync/cache.ts";
import { dropPrefetched, prefetchSnapshot, takePrefetched } from "../../src/web/sync/prefetch.ts";
import { fakeServer, json } from "./support/fake-server.ts";
import { guest, snapshot, SPACE } from "./support/fixtures.ts";

const SNAPSHOT = "GET /api/spaces/%40s";

afterEach(async () => {
  dropPrefetched();
  await appCache.wipe();
  vi.restoreAllMocks();
});

describe("the first space's snapshot", () => {
  it("is fetched at once where nothing is kept, and taken once, by that space", async () => {
    const server = fakeServer({ [SNAPSHOT]: () => json(snapshot()) });
    await prefetchSnapshot(SPACE, appCache.owner());
    expect(server.callsTo(SNAPSHOT)).toHaveLength(1);
    expect(takePrefetched("@other")).toBeUndefined();
    expect((await takePrefetched(SPACE))?.seq).toBe(5);
    expect(takePrefetched(SPACE)).toBeUndefined();
  });

  it("is not fetched where spaces are kept: the page paints from its copy", async () => {
    await appCache.claim({ being: guest("@ada", { locationId: null }), superuser: false });
    const server = fakeServer({ [SNAPSHOT]: () => json(snapshot()) });
    await prefetchSnapshot(SPACE, appCache.owner());
    expect(server.callsTo(SNAPSHOT)).toHaveLength(0);
    expect(takePrefetched(SPACE)).toBeUndefined();
  });

  it("is never used once the session it was fetched with has ended", async () => {
    fakeServer({ [SNAPSHOT]: () => json(snapshot()), "POST /api/auth/signout": () => new Response(null, { status: 204 }) });
    await prefetchSnapshot(SPACE, appCache.owner());
    await signOut();
    expect(takePrefetched(SPACE)).toBeUndefined();
  });

  it("is not fetched by a prefetch that began before the session ended", async () => {
    const server = fakeServer({ [SNAPSHOT]: () => json(snapshot()) });
    const prefetching = prefetchSnapshot(SPACE, appCache.owner());
    dropPrefetched();
    await prefetching;
    expect(server.callsTo(SNAPSHOT)).toHaveLength(0);
    expect(takePrefetched(SPACE)).toBeUndefined();
  });
});
