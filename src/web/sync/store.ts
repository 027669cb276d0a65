/**
 * One space, kept in sync in a Solid store: join (the copy kept in IndexedDB or the snapshot, painted;
 * then the room, whose connect catches up on what was said meanwhile), live batches, catch-up after
 * gaps and reconnects, the polling fallback, older history.
 * All state changes go through `apply.ts` inside `produce`, one batch per store transaction, so a
 * change re-renders only the rows it touches.
 */
import type { Room } from "livekit-client";
import { createSignal, type Accessor } from "solid-js";
import { createStore, produce, reconcile, unwrap } from "solid-js/store";
import type { BeingId, Intention, IntentionId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import type { SyncBatch } from "../../shared/sync.ts";
import { getChanges, getHistory, getSpace, OfflineError } from "../api.ts";
import { afterPaint } from "../scheduling.ts";
import { addHistory, applyBatch, applyWrite, fromSnapshot, removeIntention, type SpaceState } from "./apply.ts";
import { backoff, type Backoff } from "./backoff.ts";
import type { SpaceCache } from "./cache.ts";
import { takePrefetched } from "./prefetch.ts";
import { NOBODY, openRoom, type LinkState, type RoomLink, type RoomPresence } from "./room.ts";

export type LoadStatus = "loading" | "ready" | "not-found";
export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline" | "polling";

export interface SpaceSync {
  readonly spaceId: BeingId;
  /** The space as last synced; null until the first snapshot arrives. */
  readonly view: SpaceState | null;
  readonly status: Accessor<LoadStatus>;
  readonly connection: Accessor<ConnectionStatus>;
  /** Beings connected to the space's room right now, and those composing a message. */
  readonly presence: Accessor<RoomPresence>;
  /** The space's LiveKit room while connected (media is published and received there). */
  readonly room: Accessor<Room | undefined>;
  /** When each being here was last connected (from the snapshot, then from leaves seen live). */
  readonly lastSeen: Accessor<Readonly<Record<BeingId, Date>>>;
  /** A being away longer than this is no longer listed (the server's setting). */
  readonly awayListedSeconds: Accessor<number>;
  /** Tells the others in the room whether I am composing a message. */
  setTyping(typing: boolean): void;
  readonly loadingOlder: Accessor<boolean>;
  /** Loads the page of history before the oldest loaded intention. */
  loadOlder(): Promise<void>;
  /** Takes in a row an HTTP write returned (ignored when its broadcast got here first). */
  acceptWrite(intention: Intention, seq: number): void;
  /** Removes an intention the caller deleted. */
  acceptDelete(id: IntentionId): void;
  close(): void;
}

export interface SpaceSyncOptions {
  openLink?: typeof openRoom;
  /** What the room waits for before it opens: the conversation on screen (default: the next paint). */
  openLinkAfter?: () => Promise<void>;
  /** Intervals between polls while the room is not connected; reset whenever a poll brings news. */
  pollDelays?: Backoff;
  /** Delays between attempts after a failed fetch. */
  retryDelays?: Backoff;
  historyPageSize?: number;
  /** Where the space is kept between visits (none: every visit starts from the snapshot). */
  cache?: SpaceCache;
  /** How long after a change the space is stored again (one write per burst of batches). */
  saveDelayMs?: number;
}

/** Joins a space and keeps its store in sync until `close`. */
export function createSpaceSync(spaceId: BeingId, options: SpaceSyncOptions = {}): SpaceSync {
  const pollDelays = options.pollDelays ?? backoff(1_000, 10_000);
  const retryDelays = options.retryDelays ?? backoff(1_000, 30_000);
  const [root, setRoot] = createStore<{ view: SpaceState | null }>({ view: null });
  const [status, setStatus] = createSignal<LoadStatus>("loading");
  const [link, setLink] = createSignal<LinkState>("connecting");
  const [offline, setOffline] = createSignal(typeof navigator !== "undefined" && navigator.onLine === false);
  const [presence, setPresence] = createSignal<RoomPresence>(NOBODY);
  const [livekitRoom, setLivekitRoom] = createSignal<Room>();
  const [lastSeen, setLastSeen] = createSignal<Readonly<Record<BeingId, Date>>>({});
  const [awayListedSeconds, setAwayListedSeconds] = createSignal(3600);
  const [loadingOlder, setLoadingOlder] = createSignal(false);

  const inbox: SyncBatch[] = [];
  let wantCatchUp = false;
  let running: Promise<void> | undefined;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;

  function mutate<T>(change: (draft: SpaceState) => T): T {
    let result!: T;
    setRoot(produce((draft) => void (result = change(draft.view as SpaceState))));
    scheduleSave();
    return result;
  }

  // Storing clones the whole state: throttled, so a burst of batches costs one write, off the path
  // that applies them.
  function scheduleSave(): void {
    if (options.cache) saveTimer ??= setTimeout(save, options.saveDelayMs ?? 1_000);
  }
  function save(): void {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    if (root.view) void options.cache?.write(unwrap(root.view));
  }
  // A reload or a closed tab keeps what arrived since the last write.
  const saveNow = () => {
    if (saveTimer !== undefined) save();
  };

  /** The space is not there for us (deleted, or private and we are not a member): nothing of it is kept. */
  function notFound(): void {
    setStatus("not-found");
    clearTimeout(saveTimer);
    saveTimer = undefined;
    void options.cache?.forget(spaceId);
  }

  /** Paints the copy kept from the last visit, if any, then catches up from its seq; else joins from the snapshot. */
  async function start(): Promise<void> {
    const kept = await options.cache?.read(spaceId);
    if (closed) return;
    if (!kept) return join();
    setRoot("view", kept);
    setStatus("ready");
    void openLinkWhenShown();
    wantCatchUp = true;
    void drain();
  }

  /** Runs a request, keeping the offline flag true to what the network last said. */
  async function request<T>(send: () => Promise<T>): Promise<T> {
    try {
      const result = await send();
      setOffline(false);
      return result;
    } catch (error) {
      if (error instanceof OfflineError) setOffline(true);
      throw error;
    }
  }

  async function resync(): Promise<void> {
    const snapshot = await request(() => takePrefetched(spaceId) ?? getSpace(spaceId));
    if (closed) return;
    // reconcile keeps the identity of every row the snapshot did not change.
    setRoot("view", reconcile(fromSnapshot(snapshot)));
    setLastSeen((seen) => ({ ...seen, ...snapshot.presence.lastSeen }));
    setAwayListedSeconds(snapshot.presence.awayListedSeconds);
    setStatus("ready");
    scheduleSave();
  }

  async function join(): Promise<void> {
    try {
      await resync();
      retryDelays.reset();
      void openLinkWhenShown();
      void drain();
    } catch (error) {
      if (closed) return;
      if (error instanceof ApiError && error.code === "NOT_FOUND") return notFound();
      retryTimer = setTimeout(join, retryDelays.next());
    }
  }

  /** Fetches every change after the last applied one, following `hasMore`. */
  async function fetchChanges(): Promise<void> {
    for (;;) {
      const after = (root.view as SpaceState).last;
      const page = await request(() => getChanges(spaceId, after));
      if (closed || page.changes.length === 0) return;
      const to = page.changes[page.changes.length - 1].seq;
      mutate((draft) => applyBatch(draft, { v: 1, space: spaceId, from: after + 1, to, changes: page.changes }));
      if (!page.hasMore) return;
    }
  }

  /** Catches up (reloading the snapshot when the server no longer holds our point); false if it could not. */
  async function catchUp(): Promise<boolean> {
    try {
      try {
        await fetchChanges();
      } catch (error) {
        if (!(error instanceof ApiError && error.code === "GONE")) throw error;
        await resync();
      }
      retryDelays.reset();
      return true;
    } catch (error) {
      if (closed) return false;
      // The space was deleted or made private while we were in it.
      if (error instanceof ApiError && error.code === "NOT_FOUND") notFound();
      else scheduleCatchUp(retryDelays.next());
      // The catch-up to come fetches everything after `last`: buffered batches add nothing.
      inbox.length = 0;
      return false;
    }
  }

  async function work(): Promise<void> {
    while (!closed && root.view && status() === "ready") {
      if (wantCatchUp) {
        wantCatchUp = false;
        if (!(await catchUp())) return;
        continue;
      }
      const batch = inbox.shift();
      if (!batch) return;
      const verdict = mutate((draft) => applyBatch(draft, batch));
      if (verdict === "gap" || verdict === "fetch") {
        if (!(await catchUp())) return;
        if (verdict === "gap") mutate((draft) => applyBatch(draft, batch));
      }
    }
  }

  /** Processes the inbox one item at a time: batches and catch-ups never interleave. */
  function drain(): Promise<void> {
    running ??= work().finally(() => {
      running = undefined;
      if (!closed && root.view && (inbox.length > 0 || wantCatchUp)) void drain();
    });
    return running;
  }

  function scheduleCatchUp(delay: number): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      wantCatchUp = true;
      void drain();
    }, delay);
  }

  // Whenever the room is not connected (live sync off, but also while it connects or reconnects,
  // which can take a while), the changes endpoint is asked instead, more slowly while nothing changes.
  let polling = false;
  function schedulePoll(delay: number): void {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      if (closed || link() === "connected") return void (polling = false);
      const before = root.view?.last;
      wantCatchUp = true;
      await drain();
      if (root.view && root.view.last !== before) pollDelays.reset();
      schedulePoll(pollDelays.next());
    }, delay);
  }

  const onLinkState = (state: LinkState) => {
    setLink(state);
    if (state === "connected") {
      // Packets sent while we were away are gone for good: the changes endpoint has them.
      clearTimeout(pollTimer);
      polling = false;
      wantCatchUp = true;
      void drain();
    } else if (!polling) {
      polling = true;
      pollDelays.reset();
      schedulePoll(pollDelays.next());
    }
  };

  // The room opens once the space is on screen: LiveKit's code, its download and its connect (long
  // tasks on a phone) never stand between a person and the messages. Nothing said in between is
  // missed: the catch-up that follows every connect fetches it.
  let room: RoomLink | undefined;
  let roomAsked = false;
  async function openLinkWhenShown(): Promise<void> {
    if (roomAsked) return;
    roomAsked = true;
    await (options.openLinkAfter ?? afterPaint)();
    if (closed) return;
    room = (options.openLink ?? openRoom)(spaceId, {
      onBatch(batch) {
        inbox.push(batch);
        void drain();
      },
      onState: onLinkState,
      onPresence(next) {
        // Whoever just left was last seen now.
        const left = [...presence().online].filter((being) => !next.online.has(being));
        if (left.length > 0) setLastSeen((seen) => ({ ...seen, ...Object.fromEntries(left.map((being) => [being, new Date()])) }));
        setPresence(next);
      },
      onRoom: (next) => setLivekitRoom(() => next),
    });
  }
  void start();

  const wentOnline = () => {
    setOffline(false);
    if (status() !== "loading") return scheduleCatchUp(0);
    clearTimeout(retryTimer);
    void join();
  };
  const wentOffline = () => setOffline(true);
  globalThis.addEventListener?.("online", wentOnline);
  globalThis.addEventListener?.("offline", wentOffline);
  globalThis.addEventListener?.("pagehide", saveNow);

  return {
    spaceId,
    get view() {
      return root.view;
    },
    status,
    connection: () => {
      const state = link();
      if (offline() || state === "offline") return "offline";
      return state === "off" ? "polling" : state;
    },
    presence,
    room: livekitRoom,
    lastSeen,
    awayListedSeconds,
    setTyping: (typing) => room?.setTyping(typing),
    loadingOlder,
    async loadOlder() {
      const view = root.view;
      if (!view?.hasMore || loadingOlder()) return;
      setLoadingOlder(true);
      try {
        const page = await request(() => getHistory(spaceId, view.order[0], options.historyPageSize ?? 50));
        if (!closed) mutate((draft) => addHistory(draft, page));
      } catch {
        // History is a read the reader repeats by scrolling up again; the indicator shows offline.
      } finally {
        setLoadingOlder(false);
      }
    },
    acceptWrite(intention, seq) {
      if (root.view) mutate((draft) => applyWrite(draft, intention, seq));
    },
    acceptDelete(id) {
      if (root.view) mutate((draft) => removeIntention(draft, id));
    },
    close() {
      closed = true;
      saveNow();
      room?.close();
      clearTimeout(retryTimer);
      clearTimeout(pollTimer);
      globalThis.removeEventListener?.("online", wentOnline);
      globalThis.removeEventListener?.("offline", wentOffline);
      globalThis.removeEventListener?.("pagehide", saveNow);
    },
  };
}
