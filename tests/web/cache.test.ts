import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import type { Me } from "../../src/shared/responses.ts";
import { fromSnapshot, type SpaceState } from "../../src/web/sync/apply.ts";
import { openCache, type CacheDatabase, type CacheOptions } from "../../src/web/sync/cache.ts";
import { guest, said, snapshot, space } from "./support/fixtures.ts";

const ADA: Me = { being: guest("@ada", { locationId: null }), superuser: false };
const BOB: Me = { being: guest("@bob", { locationId: null }), superuser: false };

/** The state of space `id`, with `messages` messages and changes up to `seq`. */
function spaceState(id: BeingId, messages = 2, seq = 5): SpaceState {
  const intentions = Array.from({ length: messages }, (_, i) => said(`/m${i}`, i, { locationId: id }));
  return fromSnapshot(snapshot({ space: space(id), intentions, seq }));
}

let factory = new IDBFactory();
let opened: CacheDatabase[] = [];
/** A cache over this test's own IndexedDB (fake-indexeddb: each test starts empty). */
function cache(options: Omit<CacheOptions, "factory"> = {}): CacheDatabase {
  const db = openCache({ factory, ...options });
  opened.push(db);
  return db;
}

afterEach(async () => {
  await Promise.all(opened.map((db) => db.close()));
  opened = [];
  factory = new IDBFactory();
});

describe("the space cache", () => {
  it("gives back what was stored for its owner, dates and seq included", async () => {
    const db = cache();
    await db.claim(ADA);
    const state = spaceState("@one", 3, 42);
    await db.spaces(ADA.being.id).write(state);
    const read = await db.spaces(ADA.being.id).read("@one");
    expect(read).toEqual(state);
    expect(read?.last).toBe(42);
    expect(read?.intentions["/m0"]?.createdAt).toBeInstanceOf(Date);
    expect(await db.owner()).toEqual(ADA);
  });

  it("makes no database to read from: a first visit's reads find nothing, and the first write makes it", async () => {
    const db = cache();
    expect(await db.owner()).toBeUndefined();
    expect(await db.spaces(ADA.being.id).read("@one")).toBeUndefined();
    expect(await factory.databases()).toEqual([]);
    await db.claim(ADA);
    await db.spaces(ADA.being.id).write(spaceState("@one"));
    expect((await factory.databases()).map((database) => database.name)).toEqual(["spaces-cache"]);
    expect(await db.spaces(ADA.being.id).read("@one")).toEqual(spaceState("@one"));
    // Closed and used again, it looks afresh: the database is there now.
    await db.close();
    expect(await db.spaces(ADA.being.id).read("@one")).toEqual(spaceState("@one"));
  });

  it("keeps the configured number of spaces, the least recently used going first", async () => {
    const db = cache({ settings: { spaces: 2, messagesPerSpace: 10 } });
    await db.claim(ADA);
    const spaces = db.spaces(ADA.being.id);
    await spaces.write(spaceState("@one"));
    await spaces.write(spaceState("@two"));
    // Opening @one again makes @two the least recently used.
    expect(await spaces.read("@one")).toBeDefined();
    await spaces.write(spaceState("@three"));
    expect(await spaces.read("@two")).toBeUndefined();
    expect((await spaces.read("@one"))?.space.id).toBe("@one");
    expect((await spaces.read("@three"))?.space.id).toBe("@three");
  });

  it("keeps a space's newest messages only, and says older ones are history to load", async () => {
    const db = cache({ settings: { spaces: 5, messagesPerSpace: 3 } });
    await db.claim(ADA);
    await db.spaces(ADA.being.id).write(spaceState("@one", 5));
    const read = await db.spaces(ADA.being.id).read("@one");
    expect(read?.order).toEqual(["/m2", "/m3", "/m4"]);
    expect(Object.keys(read?.intentions ?? {}).sort()).toEqual(["/m2", "/m3", "/m4"]);
    expect(read?.hasMore).toBe(true);
  });

  it("drops everything stored under an older version", async () => {
    const old = cache({ version: 1 });
    await old.claim(ADA);
    await old.spaces(ADA.being.id).write(spaceState("@one"));
    await old.close();

    const current = cache({ version: 2 });
    expect(await current.owner()).toBeUndefined();
    await current.claim(ADA);
    expect(await current.spaces(ADA.being.id).read("@one")).toBeUndefined();
  });

  it("starts afresh over a database newer than itself (a rolled-back deploy)", async () => {
    const newer = cache({ version: 3 });
    await newer.claim(ADA);
    await newer.spaces(ADA.being.id).write(spaceState("@one"));
    await newer.close();

    const older = cache({ version: 2 });
    expect(await older.owner()).toBeUndefined();
    await older.claim(ADA);
    await older.spaces(ADA.being.id).write(spaceState("@two"));
    expect((await older.spaces(ADA.being.id).read("@two"))?.space.id).toBe("@two");
  });

  it("is empty after a wipe, and a write that comes late (a page closing) stores nothing", async () => {
    const db = cache();
    await db.claim(ADA);
    await db.spaces(ADA.being.id).write(spaceState("@one"));
    await db.wipe();
    await db.spaces(ADA.being.id).write(spaceState("@two"));
    expect(await db.owner()).toBeUndefined();
    expect(await db.spaces(ADA.being.id).read("@one")).toBeUndefined();
    expect(await db.spaces(ADA.being.id).read("@two")).toBeUndefined();
  });

  it("empties when another being signs in, and never shows one being's spaces to another", async () => {
    const db = cache();
    await db.claim(ADA);
    await db.spaces(ADA.being.id).write(spaceState("@one"));
    expect(await db.spaces(BOB.being.id).read("@one")).toBeUndefined();

    await db.claim(ADA);
    expect(await db.spaces(ADA.being.id).read("@one")).toBeDefined();
    await db.claim(BOB);
    expect(await db.owner()).toEqual(BOB);
    expect(await db.spaces(BOB.being.id).read("@one")).toBeUndefined();
    expect(await db.spaces(ADA.being.id).read("@one")).toBeUndefined();
  });

  it("forgets one space", async () => {
    const db = cache();
    await db.claim(ADA);
    await db.spaces(ADA.being.id).write(spaceState("@one"));
    await db.spaces(ADA.being.id).write(spaceState("@two"));
    await db.spaces(ADA.being.id).forget("@one");
    expect(await db.spaces(ADA.being.id).read("@one")).toBeUndefined();
    expect(await db.spaces(ADA.being.id).read("@two")).toBeDefined();
  });

  it("is a miss, not an error, without IndexedDB (private modes, old browsers)", async () => {
    const db = openCache({ factory: undefined as unknown as IDBFactory });
    await expect(db.spaces(ADA.being.id).write(spaceState("@one"))).resolves.toBeUndefined();
    expect(await db.owner()).toBeUndefined();
    expect(await db.spaces(ADA.being.id).read("@one")).toBeUndefined();
  });
});
