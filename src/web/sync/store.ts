/**
 * One space in a Solid store, and every write the page makes there. The pump (pump.ts) brings the
 * space's changes; they go through apply.ts inside `produce`, one batch per store transaction, so a
 * change re-renders only the rows it touches. Posts go through the outbox (shown at once, never lost),
 * edits and deletes through edits.ts and reactions through reactions.ts (optimistic), a reply's stop
 * straight to the server; each answer is applied here at once, as its broadcast may come later (or not
 * at all while polling). Every write goes through the pump's relay (relay.ts): in the room, the page
 * publishes its own changes.
 * The UI says "message" where the data says "intention": a message on screen is an intention here.
 */
import type { Room } from "livekit-client";
import { createSignal, type Accessor } from "solid-js";
import { createStore, produce, reconcile, unwrap } from "solid-js/store";
import type { BeingId, ContentNode, Intention, IntentionId } from "../../shared/entities.ts";
import { getHistory, patchIntention } from "../api.ts";
import { addHistory, applyChanges, applyFacts, applyWrite, fromSnapshot, removeIntention, type SpaceState } from "./apply.ts";
import type { SpaceCache } from "./cache.ts";
import { createEdits, type Edits } from "./edits.ts";
import { createReactions, type Reactions } from "./reactions.ts";
import { reportHealth, type HealthOptions } from "./health.ts";
import type { Outbox, OutboxEntry, OutboxFile } from "./outbox.ts";
import { startPump, type PumpOptions } from "./pump.ts";
import { relayerOf } from "./relay.ts";
import { NOBODY, type LinkState, type RoomPresence } from "./room.ts";
import type { SyncStatsSnapshot } from "./tally.ts";
import type { Change } from "../../shared/sync.ts";

// A message found by search is looked for this far back (REVEAL_PAGES pages of the largest size the server gives):
// further back than that, the reader scrolls.
const REVEAL_PAGE_SIZE = 100;
const REVEAL_PAGES = 30;

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
  /** Loads older history until the intention is in `view` (a message search found it): false when it is not there. */
  reveal(id: IntentionId): Promise<boolean>;
  /** Posts a message here (text, or content with mentions and a reply; with files, its caption): shown at once as pending, sent by the outbox. */
  post(content: string | readonly ContentNode[], files?: readonly OutboxFile[]): void;
  /** My messages here still on their way (not yet in `view`), oldest first. */
  pending(): OutboxEntry[];
  /** Sends a refused message again. */
  retry(id: IntentionId): void;
  /** Drops a refused or waiting message. */
  discard(id: IntentionId): void;
  /** Takes a file out of a message still on its way. */
  dropFile(id: IntentionId, key: string): void;
  /** Edits and deletes of my messages, under way or refused. */
  readonly edits: Edits;
  /** My reactions to messages here, under way or refused. */
  readonly reactions: Reactions;
  /** Stops a bot's reply; rejects with the server's refusal (the server decides who may). */
  stop(id: IntentionId): Promise<void>;
  /** How sync has reached this page in this space so far (health.ts reports it). */
  stats(): SyncStatsSnapshot;
  close(): void;
}

export interface SpaceSyncOptions extends PumpOptions {
  /** Where posts wait until the server has them (one per signed-in being, shared by its spaces). */
  outbox: Outbox;
  historyPageSize?: number;
  /** Where the space is kept between visits (none: every visit starts from the snapshot). */
  cache?: SpaceCache;
  /** How long after a change the space is stored again (one write per burst of batches). */
  saveDelayMs?: number;
  /** How the space's sync health is reported (health.ts). */
  health?: HealthOptions;
  /** Told of each batch of changes once applied (the inbox's count listens for what concerns me). */
  onChanges?(changes: readonly Change[]): void;
}

/** Joins a space and keeps its store in sync until `close`. */
export function createSpaceSync(spaceId: BeingId, options: SpaceSyncOptions): SpaceSync {
  const { outbox, cache } = options;
  const [root, setRoot] = createStore<{ view: SpaceState | null }>({ view: null });
  const [status, setStatus] = createSignal<LoadStatus>("loading");
  const [link, setLink] = createSignal<LinkState>("connecting");
  const [offline, setOffline] = createSignal(typeof navigator !== "undefined" && navigator.onLine === false);
  const [presence, setPresence] = createSignal<RoomPresence>(NOBODY);
  const [livekitRoom, setLivekitRoom] = createSignal<Room>();
  const [lastSeen, setLastSeen] = createSignal<Readonly<Record<BeingId, Date>>>({});
  const [awayListedSeconds, setAwayListedSeconds] = createSignal(3600);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function mutate(change: (draft: SpaceState) => void): void {
    if (!root.view) return;
    setRoot(produce((draft) => change(draft.view!)));
    scheduleSave();
  }

  // Storing clones the whole state: throttled, so a burst of batches costs one write, off the path
  // that applies them.
  function scheduleSave(): void {
    if (cache) saveTimer ??= setTimeout(save, options.saveDelayMs ?? 1_000);
  }
  function save(): void {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    if (root.view) void cache?.write(unwrap(root.view));
  }
  // A reload or a closed tab keeps what arrived since the last write.
  const saveNow = () => {
    if (saveTimer !== undefined) save();
  };
  globalThis.addEventListener?.("pagehide", saveNow);

  const pump = startPump(
    spaceId,
    {
      last: () => root.view?.last,
      async restore() {
        const kept = await cache?.read(spaceId);
        if (!kept || closed) return false;
        setRoot("view", kept);
        setStatus("ready");
        return true;
      },
      reset(snapshot) {
        // reconcile keeps the identity of every row the snapshot did not change.
        setRoot("view", reconcile(fromSnapshot(snapshot)));
        setLastSeen((seen) => ({ ...seen, ...snapshot.presence.lastSeen }));
        setAwayListedSeconds(snapshot.presence.awayListedSeconds);
        setStatus("ready");
        scheduleSave();
      },
      apply(changes, to) {
        mutate((draft) => applyChanges(draft, changes, to));
        options.onChanges?.(changes);
      },
      facts: (facts) => mutate((draft) => applyFacts(draft, facts)),
      notFound() {
        // Nothing of a space we may not read is kept.
        setStatus("not-found");
        clearTimeout(saveTimer);
        saveTimer = undefined;
        void cache?.forget(spaceId);
      },
      onLink: setLink,
      onOffline: setOffline,
      onPresence(next) {
        // Whoever just left was last seen now.
        const left = [...presence().online].filter((being) => !next.online.has(being));
        if (left.length > 0) setLastSeen((seen) => ({ ...seen, ...Object.fromEntries(left.map((being) => [being, new Date()])) }));
        setPresence(next);
      },
      onRoom: (next) => setLivekitRoom(() => next),
    },
    options,
  );

  /** Loads the page of `size` intentions before the oldest loaded one; false when it could not. */
  async function loadOlderPage(size: number): Promise<boolean> {
    const view = root.view;
    if (!view?.hasMore || loadingOlder()) return false;
    setLoadingOlder(true);
    try {
      const page = await pump.request(() => getHistory(spaceId, view.order[0], size));
      if (!closed) mutate((draft) => addHistory(draft, page));
      return true;
    } catch {
      // History is a read the reader repeats by scrolling up again; the indicator shows offline.
      return false;
    } finally {
      setLoadingOlder(false);
    }
  }

  /** Takes in a row a write returned (ignored when its broadcast got here first). */
  const acceptWrite = (intention: Intention, seq: number) => mutate((draft) => applyWrite(draft, intention, seq));
  const stopReporting = reportHealth(spaceId, pump.stats, options.health);
  const relayer = relayerOf(pump);
  const stopRelaying = outbox.relayThrough(spaceId, relayer);
  const stopHearingSent = outbox.onSent((entry, result) => {
    if (entry.spaceId === spaceId) acceptWrite(result.intention, result.seq);
  });
  /** Takes in the row a conflict answered with, unless the store already holds that version or a newer one. */
  const acceptCurrent = (current: Intention) =>
    mutate((draft) => {
      const held = draft.intentions[current.id];
      // Negated so a row cached before rows had versions (version undefined) is replaced too.
      if (held && !(held.version >= current.version)) draft.intentions[current.id] = current;
    });
  const edits = createEdits({ onSaved: acceptWrite, onConflict: acceptCurrent, onDeleted: (id) => mutate((draft) => removeIntention(draft, id)), relayer });
  const reactions = createReactions({ onSaved: acceptWrite, relayer });

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
    setTyping: pump.setTyping,
    loadingOlder,
    async loadOlder() {
      await loadOlderPage(options.historyPageSize ?? 50);
    },
    async reveal(id) {
      for (let pages = 0; !root.view?.intentions[id]; pages++) {
        if (closed || !root.view?.hasMore || pages === REVEAL_PAGES) return false;
        if (!(await loadOlderPage(REVEAL_PAGE_SIZE))) return false;
      }
      return true;
    },
    post: (content, files) => void outbox.send(spaceId, content, files),
    pending: () => outbox.entries.filter((entry) => entry.spaceId === spaceId && !root.view?.intentions[entry.id]),
    retry: outbox.retry,
    discard: outbox.discard,
    dropFile: outbox.dropFile,
    edits,
    reactions,
    async stop(id) {
      const result = await relayer((send) => patchIntention(id, { state: "cancelled" }, send));
      acceptWrite(result.intention, result.seq);
    },
    stats: pump.stats,
    close() {
      closed = true;
      saveNow();
      pump.close();
      stopReporting();
      stopRelaying();
      stopHearingSent();
      globalThis.removeEventListener?.("pagehide", saveNow);
    },
  };
}
