import { createEffect, createRoot } from "solid-js";
import { unwrap } from "solid-js/store";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fromSnapshot } from "../../src/web/sync/apply.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { openCache, type SpaceCache } from "../../src/web/sync/cache.ts";
import { createOutbox, type Outbox } from "../../src/web/sync/outbox.ts";
import { prefetchSnapshot } from "../../src/web/sync/prefetch.ts";
import { createSpaceSync, type SpaceSync } from "../../src/web/sync/store.ts";
import { fakeLink } from "./support/fake-link.ts";
import { apiError, deferred, fakeServer, json, networkDown } from "./support/fake-server.ts";
import { batch, guest, removal, said, snapshot, space, SPACE, upsert } from "./support/fixtures.ts";

const SNAPSHOT = "GET /api/spaces/%40s";
const CHANGES = "GET /api/spaces/%40s/changes";
const HISTORY = "GET /api/spaces/%40s/intentions";
const fast = () => backoff(5, 20);

let open: SpaceSync[] = [];
let outboxes: Outbox[] = [];
const links = new Map<SpaceSync, ReturnType<typeof fakeLink>>();
function anOutbox() {
  const outbox = createOutbox({ storageKey: "spaces:outbox:@me", delays: fast() });
  outboxes.push(outbox);
  return outbox;
}
function join(link = fakeLink(), cache?: SpaceCache) {
  const sync = createSpaceSync(SPACE, { outbox: anOutbox(), openLink: link.open, pollDelays: fast(), retryDelays: fast(), cache, saveDelayMs: 10 });
  open.push(sync);
  links.set(sync, link);
  return sync;
}
/** The space has painted, and then opened its room. */
const ready = async (sync: SpaceSync) => {
  await vi.waitFor(() => expect(sync.status()).toBe("ready"));
  await links.get(sync)!.ready();
};

afterEach(() => {
  for (const sync of open) sync.close();
  for (const outbox of outboxes) outbox.close();
  open = [];
  outboxes = [];
  localStorage.clear();
  links.clear();
  vi.restoreAllMocks();
});

describe("joining a space", () => {
  it("opens the room only once the snapshot has painted; its connect catches up on what was said in between", async () => {
    const answer = deferred<Response>();
    const server = fakeServer({
      [SNAPSHOT]: () => answer.promise,
      [CHANGES]: (call) => json(call.url.includes("after=5") ? { changes: [upsert(6, said("/c", 3))], seq: 6, hasMore: false } : { changes: [], seq: 6, hasMore: false }),
    });
    const link = fakeLink();
    const sync = join(link);
    // LiveKit (its code, its connect) never stands between a person and the messages.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(link.opened).toBe(false);
    answer.resolve(json(snapshot({ seq: 5 })));
    await ready(sync);
    expect(sync.view?.order).toEqual(["/a", "/b"]);
    // Said after the snapshot, before the room was there to hear it.
    link.state("connected");
    await vi.waitFor(() => expect(sync.view?.last).toBe(6));
    expect(sync.view?.order).toEqual(["/a", "/b", "/c"]);
    expect(server.callsTo(CHANGES)).toHaveLength(1);
  });

  it("opens the room only when the page says the conversation is on screen", async () => {
    fakeServer({ [SNAPSHOT]: () => json(snapshot()) });
    const shown = deferred<void>();
    const link = fakeLink();
    const sync = createSpaceSync(SPACE, { outbox: anOutbox(), openLink: link.open, openLinkAfter: () => shown.promise, retryDelays: fast() });
    open.push(sync);
    await vi.waitFor(() => expect(sync.status()).toBe("ready"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(link.opened).toBe(false);
    shown.resolve();
    await link.ready();
  });

  it("takes the snapshot prefetched as the app started rather than asking again", async () => {
    const server = fakeServer({ [SNAPSHOT]: () => json(snapshot()) });
    await prefetchSnapshot(SPACE, openCache({ factory: new IDBFactory(), name: "empty" }).owner());
    const sync = join();
    await ready(sync);
    expect(sync.view?.order).toEqual(["/a", "/b"]);
    expect(server.callsTo(SNAPSHOT)).toHaveLength(1);
  });

  it("shows not found for a space the server will not disclose (private, not a member)", async () => {
    fakeServer({ [SNAPSHOT]: () => apiError(404, "NOT_FOUND") });
    const sync = join();
    await vi.waitFor(() => expect(sync.status()).toBe("not-found"));
    expect(sync.view).toBeNull();
  });

  it("retries the snapshot while offline and says so", async () => {
    let attempts = 0;
    fakeServer({
      [SNAPSHOT]: () => (++attempts < 3 ? networkDown() : json(snapshot())),
      [CHANGES]: () => json({ changes: [], seq: 5, hasMore: false }),
    });
    const link = fakeLink();
    const sync = join(link);
    const seen: string[] = [];
    const dispose = createRoot((dispose) => {
      createEffect(() => seen.push(sync.connection()));
      return dispose;
    });
    await ready(sync);
    link.state("connected");
    expect(attempts).toBe(3);
    expect(seen).toEqual(["connecting", "offline", "connecting", "connected"]);
    dispose();
  });
});

describe("live batches", () => {
  it("updates only the touched row: untouched rows keep their identity and do not re-run", async () => {
    fakeServer({ [SNAPSHOT]: () => json(snapshot()) });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    const view = sync.view!;
    const a = unwrap(view.intentions["/a"]);
    const b = unwrap(view.intentions["/b"]);
    const ada = unwrap(view.beings["@ada"]);
    const runs = { a: 0, b: 0 };
    const dispose = createRoot((dispose) => {
      createEffect(() => (view.intentions["/a"].content, runs.a++));
      createEffect(() => (view.intentions["/b"].content, runs.b++));
      return dispose;
    });

    link.deliver(batch(6, 6, [upsert(6, said("/b", 2, { ownerId: "@bob", content: ["edited"] }))]));
    await vi.waitFor(() => expect(view.last).toBe(6));

    expect(runs).toEqual({ a: 1, b: 2 });
    expect(unwrap(view.intentions["/a"])).toBe(a);
    expect(unwrap(view.intentions["/b"])).toBe(b);
    expect(b.content).toEqual(["edited"]);
    expect(unwrap(view.beings["@ada"])).toBe(ada);
    dispose();
  });

  it("catches up through the changes endpoint when a batch reveals a gap, then applies the batch", async () => {
    const server = fakeServer({
      [SNAPSHOT]: () => json(snapshot()),
      [CHANGES]: () => json({ changes: [upsert(6, said("/c", 3))], seq: 6, hasMore: false }),
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    link.deliver(batch(7, 7, [upsert(7, said("/d", 4))]));
    await vi.waitFor(() => expect(sync.view?.last).toBe(7));
    expect(sync.view?.order).toEqual(["/a", "/b", "/c", "/d"]);
    expect(server.callsTo(CHANGES).map((c) => c.url)).toEqual(["/api/spaces/%40s/changes?after=5&limit=500"]);
  });

  it("fetches the changes of a ref batch, following hasMore", async () => {
    const pages: Record<string, unknown> = {
      "5": { changes: [upsert(6, said("/c", 3))], seq: 7, hasMore: true },
      "6": { changes: [removal(7, "/a")], seq: 7, hasMore: false },
    };
    fakeServer({
      [SNAPSHOT]: () => json(snapshot()),
      [CHANGES]: (call) => json(pages[new URL(call.url, "http://x").searchParams.get("after")!]),
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    link.deliver(batch(6, 7, [], { ref: true }));
    await vi.waitFor(() => expect(sync.view?.last).toBe(7));
    expect(sync.view?.order).toEqual(["/b", "/c"]);
  });

  it("reloads the snapshot when the catch-up point is gone (410), keeping unchanged rows", async () => {
    let snapshots = 0;
    fakeServer({
      [SNAPSHOT]: () =>
        json(++snapshots === 1 ? snapshot() : snapshot({ seq: 40, intentions: [said("/a", 1), said("/z", 30)], beings: [guest("@ada")] })),
      [CHANGES]: () => apiError(410, "GONE"),
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    const a = unwrap(sync.view!.intentions["/a"]);
    link.deliver(batch(41, 41, [upsert(41, said("/zz", 31))]));
    await vi.waitFor(() => expect(sync.view?.last).toBe(41));
    expect(sync.view?.order).toEqual(["/a", "/z", "/zz"]);
    expect(Object.keys(sync.view!.beings)).toEqual(["@ada"]);
    expect(unwrap(sync.view!.intentions["/a"])).toBe(a);
  });

  it("catches up after every (re)connect, since packets sent meanwhile are lost", async () => {
    const server = fakeServer({
      [SNAPSHOT]: () => json(snapshot()),
      [CHANGES]: (call) =>
        json(call.url.includes("after=5") ? { changes: [upsert(6, said("/c", 3))], seq: 6, hasMore: false } : { changes: [], seq: 6, hasMore: false }),
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    link.state("connected");
    link.state("reconnecting");
    expect(sync.connection()).toBe("reconnecting");
    link.state("connected");
    await vi.waitFor(() => expect(server.callsTo(CHANGES)).toHaveLength(2));
    expect(sync.view?.order).toEqual(["/a", "/b", "/c"]);
    expect(sync.connection()).toBe("connected");
  });
});

describe("a change to the space itself", () => {
  it("asks the server what I may do there now: the facts of the catch-up replace the snapshot's", async () => {
    const server = fakeServer({
      [SNAPSHOT]: () => json(snapshot({ seq: 5, mayManage: false, moderation: { removeAny: false, removeOwnedBy: ["@me"] } })),
      [CHANGES]: () => json({ changes: [], seq: 6, hasMore: false, mayManage: true, moderation: { removeAny: true, removeOwnedBy: ["@me"] } }),
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    link.state("connected");
    await vi.waitFor(() => expect(server.callsTo(CHANGES)).toHaveLength(1));
    // Handed to me: the change names the space, not what I may do; the catch-up it causes does.
    link.deliver(batch(6, 6, [upsert(6, space(SPACE, { ownerId: "@me", version: 2 }))]));
    await vi.waitFor(() => expect(sync.view?.mayManage).toBe(true));
    expect(sync.view?.moderation?.removeAny).toBe(true);
    expect(server.callsTo(CHANGES)).toHaveLength(2);
  });

  it("leaves the space when the catch-up it causes answers 404 (I was removed from its members)", async () => {
    let removed = false;
    const server = fakeServer({
      [SNAPSHOT]: () => json(snapshot({ seq: 5 })),
      [CHANGES]: () => (removed ? apiError(404, "NOT_FOUND") : json({ changes: [], seq: 5, hasMore: false })),
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    link.state("connected");
    await vi.waitFor(() => expect(server.callsTo(CHANGES)).toHaveLength(1));
    removed = true;
    link.deliver(batch(6, 6, [upsert(6, space(SPACE, { properties: { private: true, members: [] }, version: 2 }))]));
    await vi.waitFor(() => expect(sync.status()).toBe("not-found"));
  });
});

describe("live sync off", () => {
  it("polls the changes endpoint while the room is off, and stops when live sync returns", async () => {
    let seq = 5;
    const server = fakeServer({
      [SNAPSHOT]: () => json(snapshot()),
      [CHANGES]: (call) => {
        const after = Number(new URL(call.url, "http://x").searchParams.get("after"));
        // Someone says something while we poll.
        if (after === 5 && seq === 5) seq = 6;
        return json({ changes: after < seq ? [upsert(6, said("/c", 3))] : [], seq, hasMore: false });
      },
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    link.state("off");
    expect(sync.connection()).toBe("polling");
    await vi.waitFor(() => expect(sync.view?.order).toEqual(["/a", "/b", "/c"]));
    await vi.waitFor(() => expect(server.callsTo(CHANGES).length).toBeGreaterThan(2));

    link.state("connected");
    await new Promise((resolve) => setTimeout(resolve, 10));
    const afterLive = server.callsTo(CHANGES).length;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server.callsTo(CHANGES).length).toBe(afterLive);
    expect(sync.connection()).toBe("connected");
  });

  it("also polls while the room reconnects, still saying reconnecting", async () => {
    let news = false;
    const server = fakeServer({
      [SNAPSHOT]: () => json(snapshot()),
      [CHANGES]: () => json(news ? { changes: [upsert(6, said("/c", 3))], seq: 6, hasMore: false } : { changes: [], seq: 5, hasMore: false }),
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    link.state("connected");
    await vi.waitFor(() => expect(server.callsTo(CHANGES)).toHaveLength(1));
    // Said while the room is down: no packet will ever bring it.
    news = true;
    link.state("reconnecting");
    await vi.waitFor(() => expect(sync.view?.order).toEqual(["/a", "/b", "/c"]));
    expect(sync.connection()).toBe("reconnecting");
  });
});

describe("history and local writes", () => {
  it("loads older history before the oldest loaded id", async () => {
    const server = fakeServer({
      [SNAPSHOT]: () => json(snapshot({ hasMore: true })),
      [HISTORY]: () => json({ intentions: [said("/0", 0)], hasMore: false }),
    });
    const sync = join();
    await ready(sync);
    await sync.loadOlder();
    expect(sync.view?.order).toEqual(["/0", "/a", "/b"]);
    expect(sync.view?.hasMore).toBe(false);
    expect(server.callsTo(HISTORY)[0].url).toBe("/api/spaces/%40s/intentions?before=%2Fa&limit=50");
  });

  it("reveals a message a search found by loading older pages of 100 until it is there", async () => {
    const pages = [
      { intentions: [said("/7", -2), said("/8", -1)], hasMore: true },
      { intentions: [said("/5", -4), said("/6", -3)], hasMore: true },
    ];
    const server = fakeServer({
      [SNAPSHOT]: () => json(snapshot({ hasMore: true })),
      [HISTORY]: () => json(pages.shift()!),
    });
    const sync = join();
    await ready(sync);
    expect(await sync.reveal("/6")).toBe(true);
    expect(sync.view?.order.slice(0, 4)).toEqual(["/5", "/6", "/7", "/8"]);
    expect(server.callsTo(HISTORY).map((call) => call.url)).toEqual([
      "/api/spaces/%40s/intentions?before=%2Fa&limit=100",
      "/api/spaces/%40s/intentions?before=%2F7&limit=100",
    ]);
  });

  it("says a message is not there once the history has no older page", async () => {
    fakeServer({
      [SNAPSHOT]: () => json(snapshot({ hasMore: true })),
      [HISTORY]: () => json({ intentions: [said("/0", 0)], hasMore: false }),
    });
    const sync = join();
    await ready(sync);
    expect(await sync.reveal("/gone")).toBe(false);
    expect(await sync.reveal("/a")).toBe(true);
  });

  it("takes in a write's answer at once, and does not duplicate it when its broadcast follows", async () => {
    fakeServer({
      [SNAPSHOT]: () => json(snapshot()),
      "PATCH /api/intentions/%2Fc": () => json({ intention: said("/c", 3), seq: 6 }),
    });
    const link = fakeLink();
    const sync = join(link);
    await ready(sync);
    await sync.stop("/c");
    expect(sync.view?.order).toEqual(["/a", "/b", "/c"]);
    link.deliver(batch(6, 6, [upsert(6, said("/c", 3))]));
    await vi.waitFor(() => expect(sync.view?.last).toBe(6));
    expect(sync.view?.order).toEqual(["/a", "/b", "/c"]);
  });

  it("reports who is online and typing from the room, and when those who left were last seen", async () => {
    const seen = new Date("2026-11-30T10:00:00Z");
    fakeServer({ [SNAPSHOT]: () => json(snapshot({ presence: { lastSeen: { "@cy": seen }, awayListedSeconds: 600 } })) });
    const link = fakeLink();
    const sync = join(link);
    await vi.waitFor(() => expect(sync.status()).toBe("ready"));
    expect(sync.lastSeen()["@cy"]).toEqual(seen);
    expect(sync.awayListedSeconds()).toBe(600);
    link.presence(["@ada", "@bob"], ["@bob"]);
    expect([...sync.presence().online]).toEqual(["@ada", "@bob"]);
    expect([...sync.presence().typing]).toEqual(["@bob"]);
    const before = Date.now();
    link.presence(["@ada"]);
    expect(sync.lastSeen()["@bob"]!.getTime()).toBeGreaterThanOrEqual(before);
    sync.setTyping(true);
    expect(link.typing).toEqual([true]);
  });
});

describe("revisits (the space kept in IndexedDB)", () => {
  const ME = { being: guest("@me", { locationId: null }), superuser: false };
  /** A cache owned by @me over a fresh fake IndexedDB, holding `kept` if given. */
  async function keptCache(kept?: ReturnType<typeof fromSnapshot>): Promise<SpaceCache> {
    const db = openCache({ factory: new IDBFactory() });
    await db.claim(ME);
    const spaces = db.spaces(ME.being.id);
    if (kept) await spaces.write(kept);
    return spaces;
  }

  it("shows the kept copy while no request has been answered, then catches up from its seq (no snapshot)", async () => {
    const changes = deferred<Response>();
    const server = fakeServer({ [CHANGES]: () => changes.promise });
    const sync = join(fakeLink(), await keptCache(fromSnapshot(snapshot({ seq: 5 }))));
    await ready(sync);
    expect(sync.view?.order).toEqual(["/a", "/b"]);
    changes.resolve(json({ changes: [upsert(6, said("/c", 3))], seq: 6, hasMore: false }));
    await vi.waitFor(() => expect(sync.view?.order).toEqual(["/a", "/b", "/c"]));
    expect(server.callsTo(CHANGES).map((c) => c.url)).toEqual(["/api/spaces/%40s/changes?after=5&limit=500"]);
    expect(server.calls.filter((c) => c.url === "/api/spaces/%40s")).toHaveLength(0);
  });

  it("falls back to the snapshot when the kept seq is too old (GONE)", async () => {
    const server = fakeServer({
      [CHANGES]: () => apiError(410, "GONE"),
      [SNAPSHOT]: () => json(snapshot({ seq: 90, intentions: [said("/z", 9)] })),
    });
    const sync = join(fakeLink(), await keptCache(fromSnapshot(snapshot({ seq: 5 }))));
    await vi.waitFor(() => expect(sync.view?.last).toBe(90));
    expect(sync.view?.order).toEqual(["/z"]);
    expect(server.calls.filter((c) => c.url === "/api/spaces/%40s")).toHaveLength(1);
  });

  it("stores what it applied, so the next visit starts from there", async () => {
    fakeServer({ [SNAPSHOT]: () => json(snapshot({ seq: 5 })) });
    const cache = await keptCache();
    const link = fakeLink();
    const sync = join(link, cache);
    await ready(sync);
    link.deliver(batch(6, 6, [upsert(6, said("/c", 3))]));
    await vi.waitFor(async () => expect((await cache.read(SPACE))?.last).toBe(6));
    expect((await cache.read(SPACE))?.order).toEqual(["/a", "/b", "/c"]);
  });

  it("forgets a space on its first 404 (it became unreadable)", async () => {
    fakeServer({ [CHANGES]: () => apiError(404, "NOT_FOUND") });
    const cache = await keptCache(fromSnapshot(snapshot({ seq: 5 })));
    const sync = join(fakeLink(), cache);
    await vi.waitFor(() => expect(sync.status()).toBe("not-found"));
    await vi.waitFor(async () => expect(await cache.read(SPACE)).toBeUndefined());
  });
});
