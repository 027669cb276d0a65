/**
 * The sync pump of one space: what reaches the store, and in which order. It joins (the copy kept from
 * the last visit, else the snapshot), opens the room once the space is on screen, judges each packet
 * with the contract's receive rule (src/shared/sync.ts: the signature first, then the seqs), holds a batch
 * past a gap for up to 500 ms while the missing seqs arrive in other packets, catches up over HTTP after a
 * gap that stays open, a ref batch, a (re)connect or a return online, and polls while the room is not
 * connected. It also applies and relays the batches this page's own writes answered with (relay.ts), and
 * tallies how sync reaches it (tally.ts). Its parts: read-loop.ts reads packets one at a time, hold-back.ts
 * and inbox.ts keep what waits, fetcher.ts asks over HTTP, poller.ts polls, link.ts opens the room. Plain
 * TS: the store (store.ts) is its sink, and the only code that changes the space's state.
 */
import type { Room } from "livekit-client";
import type { BeingId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import type { SpaceFacts, SpaceSnapshot } from "../../shared/responses.ts";
import type { Change } from "../../shared/sync.ts";
import { backoff, type Backoff } from "./backoff.ts";
import { createFetcher } from "./fetcher.ts";
import { openLinkWhenShown, type LinkHandlers, type LinkOptions } from "./link.ts";
import { poller } from "./poller.ts";
import { createReadLoop } from "./read-loop.ts";
import type { RelayTarget } from "./relay.ts";
import type { LinkState, RoomLink, RoomPresence } from "./room.ts";
import { createTally, type SyncStatsSnapshot } from "./tally.ts";

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
  /** What the server says I may do in the space now (with every page of changes). */
  facts(facts: SpaceFacts): void;
  /** The space is not there for us (deleted, or private and we are not a member). */
  notFound(): void;
  onLink(state: LinkState): void;
  /** Whether the network was unreachable at the last request. */
  onOffline(offline: boolean): void;
  onPresence(presence: RoomPresence): void;
  onRoom(room: Room | undefined): void;
}

export interface PumpOptions extends LinkOptions {
  /** Intervals between polls while the room is not connected; reset whenever a poll brings news. */
  pollDelays?: Backoff;
  /** Delays between attempts after a failed fetch. */
  retryDelays?: Backoff;
  /** Sends a confirmation of published relays (default: POST /api/spaces/:id/relayed). */
  confirmRelayed?: (to: number) => Promise<unknown>;
}

export interface Pump extends RelayTarget {
  /** Runs a request, keeping the offline flag true to what the network last said. */
  request<T>(send: () => Promise<T>): Promise<T>;
  setTyping(typing: boolean): void;
  /** How sync has reached this page in this space so far. */
  stats(): SyncStatsSnapshot;
  close(): void;
}

/** Starts pumping a space's changes into `sink` until `close`. */
export function startPump(spaceId: BeingId, sink: PumpSink, options: PumpOptions = {}): Pump {
  const pollDelays = options.pollDelays ?? backoff(1_000, 10_000);
  const retryDelays = options.retryDelays ?? backoff(1_000, 30_000);
  let linkState: LinkState | undefined;
  let room: RoomLink | undefined;
  let closed = false;
  let gone = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const fetcher = createFetcher(spaceId, sink, () => closed);
  const tally = createTally();
  const loop = createReadLoop(spaceId, {
    sink,
    tally,
    working: () => !closed && !gone && sink.last() !== undefined,
    catchUp,
    publish: async (packet) => {
      if (!room) throw new Error("no room");
      await room.publish(packet);
    },
    confirmRelayed: options.confirmRelayed,
  });

  function notFound(): void {
    gone = true;
    // The space is no longer ours to read (deleted, or we lost access): no new token would be given either.
    room?.close();
    poll.stop();
    sink.notFound();
  }

  /** Paints the copy kept from the last visit, if any, then catches up from its seq; else joins from the snapshot. */
  async function start(): Promise<void> {
    const kept = await sink.restore();
    if (closed) return;
    if (!kept) return join();
    openLinkOnce();
    void loop.catchUpSoon();
  }

  async function join(): Promise<void> {
    try {
      await fetcher.loadSnapshot();
      retryDelays.reset();
      openLinkOnce();
      void loop.drain();
    } catch (error) {
      if (closed) return;
      if (error instanceof ApiError && error.code === "NOT_FOUND") return notFound();
      retryTimer = setTimeout(join, retryDelays.next());
    }
  }

  /** Catches up (reloading the snapshot when the server no longer holds our point); false if it could not. */
  async function catchUp(): Promise<boolean> {
    tally.count("catchUps");
    try {
      await fetcher.fetchMissing();
      retryDelays.reset();
      return true;
    } catch (error) {
      if (closed) return false;
      // The space was deleted or made private while we were in it.
      if (error instanceof ApiError && error.code === "NOT_FOUND") notFound();
      else scheduleCatchUp(retryDelays.next());
      return false;
    }
  }

  function scheduleCatchUp(delay: number): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void loop.catchUpSoon(), delay);
  }

  // Whenever the room is not connected (live sync off, but also while it connects or reconnects,
  // which can take a while), the changes endpoint is asked instead.
  const poll = poller(pollDelays, async () => {
    tally.count("polls");
    const before = sink.last();
    await loop.catchUpSoon();
    return sink.last() !== before;
  });

  function onLinkState(state: LinkState): void {
    linkState = state;
    if (state === "reconnecting") tally.count("reconnects");
    sink.onLink(state);
    if (state !== "connected") return poll.start();
    poll.stop();
    // Packets sent while we were away are gone for good: the changes endpoint has them.
    void loop.catchUpSoon();
  }

  let roomAsked = false;
  function openLinkOnce(): void {
    if (roomAsked) return;
    roomAsked = true;
    const handlers: LinkHandlers = {
      onLink: (link) => (room = link),
      onReader: loop.readWith,
      onPacket: loop.take,
      onState: onLinkState,
      onPresence: sink.onPresence,
      onRoom: sink.onRoom,
    };
    void openLinkWhenShown(spaceId, options, handlers, () => closed);
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
    request: fetcher.request,
    setTyping: (typing) => room?.setTyping(typing),
    relaying: () => linkState === "connected" && loop.canRead() && room?.mayPublish() === true,
    relay: loop.takeOwn,
    stats: tally.snapshot,
    close() {
      closed = true;
      room?.close();
      clearTimeout(retryTimer);
      loop.close();
      poll.stop();
      globalThis.removeEventListener?.("online", wentOnline);
      globalThis.removeEventListener?.("offline", wentOffline);
    },
  };
}
