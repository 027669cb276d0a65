/**
 * The sync pump of one space: what reaches the store, and in which order. It joins (the copy kept from
 * the last visit, else the snapshot), opens the room once the space is on screen, judges each packet
 * with the contract's `receive` (src/shared/sync.ts), catches up over HTTP after a gap, a ref batch, a
 * (re)connect or a return online, and polls while the room is not connected. Plain TS: the store
 * (store.ts) is its sink, and the only code that changes the space's state.
 */
import type { Room } from "livekit-client";
import type { BeingId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import type { SpaceSnapshot } from "../../shared/responses.ts";
import { createKeyring, type Keyring } from "../../shared/signing.ts";
import { judge, receive, type Change, type PacketReader, type Verdict } from "../../shared/sync.ts";
import { getChanges, getSpace, getSyncKeys, OfflineError } from "../api.ts";
import { afterPaint } from "../scheduling.ts";
import { backoff, type Backoff } from "./backoff.ts";
import { takePrefetched } from "./prefetch.ts";
import { openRoom, type LinkState, type RoomLink, type RoomPresence } from "./room.ts";

/** Where the pump delivers: the store. */
export interface PumpSink {
  /** The last seq applied; undefined while there is no state (nothing kept, no snapshot yet). */
  last(): number | undefined;
  /** Shows the copy kept from the last visit, if there is one; says whether there was. */
  restore(): Promise<boolean>;
  /** Replaces the state with a snapshot's (on join, and when the server no longer holds our point). */
  reset(snapshot: SpaceSnapshot): void;
  /** Applies changes that connect to the state, covering every seq up to `to`. */
  apply(changes: readonly Change[], to: number): void;
  /** The space is not there for us (deleted, or private and we are not a member). */
  notFound(): void;
  onLink(state: LinkState): void;
  /** Whether the network was unreachable at the last request. */
  onOffline(offline: boolean): void;
  onPresence(presence: RoomPresence): void;
  onRoom(room: Room | undefined): void;
}

export interface PumpOptions {
  openLink?: typeof openRoom;
  /** What the room waits for before it opens: the conversation on screen (default: the next paint). */
  openLinkAfter?: () => Promise<void>;
  /** Intervals between polls while the room is not connected; reset whenever a poll brings news. */
  pollDelays?: Backoff;
  /** Delays between attempts after a failed fetch. */
  retryDelays?: Backoff;
  /** The signing keys packets are checked against (default: the server's, GET /api/sync/keys). */
  keyring?: Keyring;
}

/** The server's signing keys, shared by every space this page opens; fetched on the first packet. */
const serverKeyring = createKeyring(getSyncKeys);

export interface Pump {
  /** Runs a request, keeping the offline flag true to what the network last said. */
  request<T>(send: () => Promise<T>): Promise<T>;
  setTyping(typing: boolean): void;
  close(): void;
}

/** Starts pumping a space's changes into `sink` until `close`. */
export function startPump(spaceId: BeingId, sink: PumpSink, options: PumpOptions = {}): Pump {
  const pollDelays = options.pollDelays ?? backoff(1_000, 10_000);
  const retryDelays = options.retryDelays ?? backoff(1_000, 30_000);
  const inbox: Uint8Array[] = [];
  let reader: PacketReader | undefined;
  let wantCatchUp = false;
  let running: Promise<void> | undefined;
  let closed = false;
  let gone = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const point = () => ({ space: spaceId, last: sink.last()! });
  const working = () => !closed && !gone && sink.last() !== undefined;

  async function request<T>(send: () => Promise<T>): Promise<T> {
    try {
      const result = await send();
      sink.onOffline(false);
      return result;
    } catch (error) {
      if (error instanceof OfflineError) sink.onOffline(true);
      throw error;
    }
  }

  function notFound(): void {
    gone = true;
    sink.notFound();
  }

  /** Paints the copy kept from the last visit, if any, then catches up from its seq; else joins from the snapshot. */
  async function start(): Promise<void> {
    const kept = await sink.restore();
    if (closed) return;
    if (!kept) return join();
    void openLinkWhenShown();
    wantCatchUp = true;
    void drain();
  }

  async function resync(): Promise<void> {
    const snapshot = await request(() => takePrefetched(spaceId) ?? getSpace(spaceId));
    if (!closed) sink.reset(snapshot);
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
      const page = await request(() => getChanges(spaceId, sink.last()!));
      if (closed || page.changes.length === 0) return;
      sink.apply(page.changes, page.changes[page.changes.length - 1].seq);
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
      // The catch-up to come fetches everything after `last`: buffered packets add nothing.
      inbox.length = 0;
      return false;
    }
  }

  async function work(): Promise<void> {
    while (working()) {
      if (wantCatchUp) {
        wantCatchUp = false;
        if (!(await catchUp())) return;
        continue;
      }
      // Packets wait for their reader (loaded with the room).
      if (!reader) return;
      const packet = inbox.shift();
      if (!packet) return;
      const verdict = await receive(packet, point(), reader);
      if (verdict.kind === "gap" || verdict.kind === "ref") {
        if (!(await catchUp())) return;
        // What the catch-up did not cover, the packet may still bring.
        if (verdict.kind === "gap") offer(judge(verdict.batch, point()));
      } else {
        offer(verdict);
      }
    }
  }

  function offer(verdict: Verdict): void {
    if (verdict.kind === "apply") sink.apply(verdict.batch.changes, verdict.batch.to);
  }

  /** Processes the inbox one item at a time: packets and catch-ups never interleave. */
  function drain(): Promise<void> {
    running ??= work().finally(() => {
      running = undefined;
      if (working() && ((reader && inbox.length > 0) || wantCatchUp)) void drain();
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
  // which can take a while), the changes endpoint is asked instead.
  const poll = poller(pollDelays, async () => {
    const before = sink.last();
    wantCatchUp = true;
    await drain();
    return sink.last() !== before;
  });

  function onLinkState(state: LinkState): void {
    sink.onLink(state);
    if (state !== "connected") return poll.start();
    poll.stop();
    // Packets sent while we were away are gone for good: the changes endpoint has them.
    wantCatchUp = true;
    void drain();
  }

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
    // The packets' reader (not in the start chunk either) and the keys they are signed with, fetched
    // while the room connects: the first packet waits for neither.
    const keyring = options.keyring ?? serverKeyring;
    void Promise.all([import("superjson"), keyring.load()]).then(([{ default: superjson }]) => {
      reader = { parse: (text) => superjson.parse(text), keyring };
      void drain();
    });
    room = (options.openLink ?? openRoom)(spaceId, {
      onPacket(packet) {
        inbox.push(packet);
        void drain();
      },
      onState: onLinkState,
      onPresence: sink.onPresence,
      onRoom: sink.onRoom,
    });
  }
  void start();

  const wentOnline = () => {
    sink.onOffline(false);
    if (sink.last() !== undefined || gone) return scheduleCatchUp(0);
    clearTimeout(retryTimer);
    void join();
  };
  const wentOffline = () => sink.onOffline(true);
  globalThis.addEventListener?.("online", wentOnline);
  globalThis.addEventListener?.("offline", wentOffline);

  return {
    request,
    setTyping: (typing) => room?.setTyping(typing),
    close() {
      closed = true;
      room?.close();
      clearTimeout(retryTimer);
      poll.stop();
      globalThis.removeEventListener?.("online", wentOnline);
      globalThis.removeEventListener?.("offline", wentOffline);
    },
  };
}

/** Runs `poll` until stopped, less often while it brings no news (it says whether it did). */
function poller(delays: Backoff, poll: () => Promise<boolean>) {
  let polling = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const news = await poll();
      if (!polling) return;
      if (news) delays.reset();
      schedule(delays.next());
    }, delay);
  };
  return {
    start() {
      if (polling) return;
      polling = true;
      delays.reset();
      schedule(delays.next());
    },
    stop() {
      polling = false;
      clearTimeout(timer);
    },
  };
}
