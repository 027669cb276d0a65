/**
 * The spaces this browser has visited, kept in IndexedDB so a revisit paints at once (and offline),
 * then catches up from the seq it holds. One database per origin: the signed-in being (the owner,
 * so the app knows who it is before the network answers) and a bounded set of spaces, least
 * recently used first out. Everything belongs to the owner: another being signing in, or signing
 * out, empties it. The raw IndexedDB API keeps this module small (it is in the start chunk).
 */
import type { BeingId } from "../../shared/entities.ts";
import type { Me } from "../../shared/responses.ts";
import type { SpaceState } from "./apply.ts";

/**
 * Bump when SpaceState (or anything stored) changes shape: the database opens at the new version
 * and its upgrade drops every store, so no state of the old shape is ever read.
 */
export const CACHE_VERSION = 2;

export interface CacheSettings {
  /** Spaces kept; the least recently opened or updated go first. */
  spaces: number;
  /** Newest messages kept per space (older ones are history again, loaded by scrolling up). */
  messagesPerSpace: number;
}

/** What a browser keeps: enough for the spaces a person moves between, at a few hundred KiB at most. */
export const CACHE_SETTINGS: CacheSettings = { spaces: 20, messagesPerSpace: 200 };

const DB_NAME = "spaces-cache";
/** Each space's state, by space id. */
const SPACES = "spaces";
/**
 * When each space was last opened or stored, apart from its state: marking a space used on a
 * revisit writes a few bytes, not the whole state again, on the way to the first paint.
 */
const USED = "used";
const META = "meta";
const OWNER_KEY = "owner";

interface Used {
  id: BeingId;
  at: number;
}

interface Stores {
  spaces: IDBObjectStore;
  used: IDBObjectStore;
  meta: IDBObjectStore;
}

/** One being's view of the cache: every read and write checks, in its transaction, that the being still owns it. */
export interface SpaceCache {
  /** The space as last stored, or undefined; marks it used. */
  read(spaceId: BeingId): Promise<SpaceState | undefined>;
  /** Stores the space (its newest messages), evicting the least recently used beyond the bound. */
  write(state: SpaceState): Promise<void>;
  /** Drops one space (it became unreadable). */
  forget(spaceId: BeingId): Promise<void>;
}

export interface CacheOptions {
  factory?: IDBFactory;
  name?: string;
  version?: number;
  settings?: CacheSettings;
}

/** The database and what to keep in it; every call fails soft (no IndexedDB, private mode, quota): a cache miss. */
export interface CacheDatabase {
  /** Who was signed in when the cache was last used. */
  owner(): Promise<Me | undefined>;
  /** Makes `me` the owner; a different being than the last owner first empties the cache. */
  claim(me: Me): Promise<void>;
  /** Empties the cache (sign-out). */
  wipe(): Promise<void>;
  /** The spaces as `ownerId` may see them. */
  spaces(ownerId: BeingId): SpaceCache;
  close(): Promise<void>;
}

/** Opens (lazily, on first use) the cache database. */
export function openCache(options: CacheOptions = {}): CacheDatabase {
  const name = options.name ?? DB_NAME;
  const version = options.version ?? CACHE_VERSION;
  const settings = options.settings ?? CACHE_SETTINGS;
  let opening: Promise<IDBDatabase> | undefined;
  // Two writes within one millisecond must still be ordered.
  let clock = 0;
  const now = () => (clock = Math.max(clock + 1, Date.now()));

  const factory = () => options.factory ?? globalThis.indexedDB;
  const db = () => {
    opening ??= open(factory(), name, version);
    return opening;
  };
  // A read where there is no database yet (a first visit) finds nothing without making one: made by the
  // first write instead, its creation stays out of the first render (about 12 ms of a phone's main thread).
  let listed: Promise<boolean> | undefined;
  const nothingThere = async () => {
    if (opening) return false;
    listed ??= Promise.resolve(factory().databases?.()).then(
      (databases) => databases !== undefined && !databases.some((database) => database.name === name),
      () => false,
    );
    return (await listed) && !opening;
  };

  /** Runs `work` in one transaction over every store; resolves with its result once committed, or undefined on any failure. */
  async function run<T>(mode: IDBTransactionMode, work: (stores: Stores) => Promise<T>): Promise<T | undefined> {
    try {
      if (mode === "readonly" && (await nothingThere())) return undefined;
      const tx = (await db()).transaction([SPACES, USED, META], mode);
      const done = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = tx.onabort = () => reject(tx.error);
      });
      const result = await work({ spaces: tx.objectStore(SPACES), used: tx.objectStore(USED), meta: tx.objectStore(META) });
      await done;
      return result;
    } catch {
      return undefined;
    }
  }

  /** True when `ownerId` owns the cache (checked inside the caller's transaction). */
  const owns = async (meta: IDBObjectStore, ownerId: BeingId) => (await req<Me | undefined>(meta.get(OWNER_KEY)))?.being.id === ownerId;

  const emptied = ({ spaces, used }: Stores) => {
    spaces.clear();
    used.clear();
  };

  return {
    owner: () => run("readonly", ({ meta }) => req<Me | undefined>(meta.get(OWNER_KEY))),
    async claim(me) {
      await run("readwrite", async (stores) => {
        if (!(await owns(stores.meta, me.being.id))) emptied(stores);
        stores.meta.put(me, OWNER_KEY);
      });
    },
    async wipe() {
      await run("readwrite", async (stores) => {
        emptied(stores);
        stores.meta.clear();
      });
    },
    spaces: (ownerId) => ({
      async read(spaceId) {
        const state = await run("readonly", async ({ spaces, meta }) =>
          (await owns(meta, ownerId)) ? req<SpaceState | undefined>(spaces.get(spaceId)) : undefined,
        );
        // After the read, not in it: the paint need not wait for this write.
        if (state) void run("readwrite", async ({ used, meta }) => void ((await owns(meta, ownerId)) && used.put({ id: spaceId, at: now() } satisfies Used)));
        return state;
      },
      async write(state) {
        await run("readwrite", async ({ spaces, used, meta }) => {
          if (!(await owns(meta, ownerId))) return;
          spaces.put(newest(state, settings.messagesPerSpace), state.space.id);
          used.put({ id: state.space.id, at: now() } satisfies Used);
          const excess = (await req(used.count())) - settings.spaces;
          if (excess > 0) await evictOldest(spaces, used, excess);
        });
      },
      async forget(spaceId) {
        await run("readwrite", async ({ spaces, used }) => {
          spaces.delete(spaceId);
          used.delete(spaceId);
        });
      },
    }),
    async close() {
      if (opening) (await opening.catch(() => undefined))?.close();
      opening = undefined;
      listed = undefined;
    },
  };
}

/** The app's cache (opened on first use). */
export const appCache = openCache();

/** The state with only its newest `limit` messages; older ones become history to load again. */
function newest(state: SpaceState, limit: number): SpaceState {
  if (state.order.length <= limit) return state;
  const order = state.order.slice(-limit);
  return { ...state, order, intentions: Object.fromEntries(order.map((id) => [id, state.intentions[id]])), hasMore: true };
}

/** Deletes the `count` least recently used spaces. */
function evictOldest(spaces: IDBObjectStore, used: IDBObjectStore, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const cursor = used.index("at").openCursor();
    cursor.onerror = () => reject(cursor.error);
    cursor.onsuccess = () => {
      const oldest = cursor.result;
      if (!oldest || count-- <= 0) return resolve();
      spaces.delete((oldest.value as Used).id);
      oldest.delete();
      oldest.continue();
    };
  });
}

/**
 * Opens the database at `version`. An upgrade drops every store (an old shape is never read); a
 * database newer than this code (a rolled-back deploy) is deleted and made again.
 */
async function open(factory: IDBFactory, name: string, version: number): Promise<IDBDatabase> {
  try {
    return await openAt(factory, name, version);
  } catch (error) {
    if (!(error instanceof DOMException && error.name === "VersionError")) throw error;
    await req(factory.deleteDatabase(name));
    return openAt(factory, name, version);
  }
}

function openAt(factory: IDBFactory, name: string, version: number): Promise<IDBDatabase> {
  const request = factory.open(name, version);
  request.onupgradeneeded = () => {
    const db = request.result;
    for (const store of [...db.objectStoreNames]) db.deleteObjectStore(store);
    db.createObjectStore(SPACES);
    db.createObjectStore(USED, { keyPath: "id" }).createIndex("at", "at");
    db.createObjectStore(META);
  };
  return req(request).then((db) => {
    // Another tab opening a newer version: step aside so its upgrade is not blocked.
    db.onversionchange = () => db.close();
    return db;
  });
}

/** An IDBRequest as a promise. */
function req<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
