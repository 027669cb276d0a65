/**
 * The sync pump of one space: what reaches the store, and in which order. It joins (the copy kept from
 * the last visit, else the snapshot), opens the room once the space is on screen, judges each packet
 * with the contract's receive rule (src/shared/sync.ts: the signature first, then the seqs), holds a batch
 * past a gap for up to 500 ms while the missing seqs arrive in other packets, catches up over HTTP after a
 * gap that stays open, a ref batch, a (re)connect or a return online, and polls while the room is not
 * connected. The hold-back is hold-back.ts, the packets waiting to be read inbox.ts; the batches this
 * page's own writes answered with are applied and relayed through relay.ts, and tally.ts tallies how sync
 * reaches the page. Plain TS: the store (store.ts) is its sink, and the only code
 * that changes the space's state.
 */
import type { Room } from "livekit-client";
import type { BeingId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import type { SpaceSnapshot } from "../../shared/responses.ts";
import type { SignedBatch } from "../../shared/signing.ts";
import { judge, receive, type Change, type PacketReader, type Verdict } from "../../shared/sync.ts";
import { backoff, type Backoff } from "./backoff.ts";
import { createFetcher } from "./fetcher.ts";
import { createHoldBack } from "./hold-back.ts";
import { createInbox, timeSlices } from "./inbox.ts";
import { openLinkWhenShown, type LinkHandlers, type LinkOptions } from "./link.ts";
import { createOwnBatches, type RelayTarget, type SentWrite } from "./relay.ts";
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
  let reader: PacketReader | undefined;
  let wantCatchUp = false;
  let running: Promise<void> | undefined;
  let closed = false;
  let gone = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const point = () => ({ space: spaceId, last: sink.last()! });
  const working = () => !closed && !gone && sink.last() !== undefined;
  const fetcher = createFetcher(spaceId, sink, () => closed);
  const tally = createTally();
  const holdBack = createHoldBack({
    judge: (batch) => judge(batch, point()),
    act,
    catchUp: () => {
      wantCatchUp = true;
      void drain();
    },
    count: tally.count,
  });
  const inbox = createInbox(() => {
    tally.count("dropped.inbox");
    // A real packet may have been lost: a catch-up follows within the hold-back.
    holdBack.lost();
  });
  const read = (packet: Uint8Array) => receive(packet, point(), reader!);
  const own = createOwnBatches(spaceId, {
    read,
    act: (verdict) => act(verdict, "own"),
    publish: async (packet) => {
      if (!room) throw new Error("no room");
      await room.publish(packet);
    },
    tally,
    confirmRelayed: options.confirmRelayed,
  });

  function notFound(): void {
    gone = true;
    sink.notFound();
  }

  /** Paints the copy kept from the last visit, if any, then catches up from its seq; else joins from the snapshot. */
  async function start(): Promise<void> {
    const kept = await sink.restore();
    if (closed) return;
    if (!kept) return join();
    openLinkOnce();
    wantCatchUp = true;
    void drain();
  }

  async function join(): Promise<void> {
    try {
      await fetcher.loadSnapshot();
      retryDelays.reset();
      openLinkOnce();
      void drain();
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
      // The catch-up to come fetches everything after `last`: buffered packets add nothing.
      inbox.clear();
      return false;
    }
  }

  // The one place packets are read, one at a time: nothing else changes the state between a packet's
  // verdict and what is done about it.
  async function work(): Promise<void> {
    const slice = timeSlices();
    while (working()) {
      if (wantCatchUp) {
        wantCatchUp = false;
        if (!(await catchUp())) return;
        // What the catch-up did not cover, held batches may still bring.
        holdBack.release();
        continue;
      }
      // Packets wait for their reader (loaded with the room).
      if (!reader) return;
      if (await own.takeNext()) continue;
      const next = inbox.take();
      if (!next) return;
      act(await read(next.packet), next.relayed ? "relay" : "room");
      // A flood of packets is read in slices: the page paints and takes input in between.
      if (slice.spent()) await slice.next();
    }
  }

  /** Does what a verdict says: count a rejection or a duplicate, hold a batch past a gap, catch up for a ref, or apply. */
  function act(verdict: Verdict, from: "room" | "relay" | "own" = "room"): void {
    switch (verdict.kind) {
      case "rejected":
        return tally.count(`rejected.${slug(verdict.reason)}`);
      case "duplicate":
        return tally.count("duplicates");
      case "gap":
        return holdBack.hold(verdict.batch);
      case "ref":
        tally.count("refs");
        wantCatchUp = true;
        return;
      case "apply":
        sink.apply(verdict.batch.changes, verdict.batch.to);
        tally.count(from === "own" ? "applied.own" : "applied");
        // A sender LiveKit could name is a writer relaying (the server has none); one not announced yet counts as the server's.
        if (from === "relay") tally.count("relayed");
        // The lag of the page's own changes is its write's round trip, not how sync reaches it.
        if (from !== "own") for (const change of verdict.batch.changes) tally.lagOf(change.at);
        return holdBack.release();
    }
  }

  /** Processes the inbox one item at a time: packets and catch-ups never interleave. */
  function drain(): Promise<void> {
    running ??= work().finally(() => {
      running = undefined;
      if (working() && ((reader && (inbox.pending() || own.pending())) || wantCatchUp)) void drain();
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
    tally.count("polls");
    const before = sink.last();
    wantCatchUp = true;
    await drain();
    return sink.last() !== before;
  });

  function onLinkState(state: LinkState): void {
    linkState = state;
    if (state === "reconnecting") tally.count("reconnects");
    sink.onLink(state);
    if (state !== "connected") return poll.start();
    poll.stop();
    // Packets sent while we were away are gone for good: the changes endpoint has them.
    wantCatchUp = true;
    void drain();
  }

  let room: RoomLink | undefined;
  let roomAsked = false;
  function openLinkOnce(): void {
    if (roomAsked) return;
    roomAsked = true;
    const handlers: LinkHandlers = {
      onLink: (link) => (room = link),
      onReader(loaded) {
        reader = loaded;
        void drain();
      },
      onPacket(packet, relayed) {
        inbox.add({ packet, relayed });
        void drain();
      },
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
    relaying: () => linkState === "connected" && reader !== undefined,
    relay(sync: readonly SignedBatch[], write: SentWrite) {
      own.add(sync, write);
      void drain();
    },
    stats: tally.snapshot,
    close() {
      closed = true;
      room?.close();
      clearTimeout(retryTimer);
      holdBack.close();
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

/** A reason as a count's name: "bad signature" → "bad-signature". */
const slug = (reason: string) => reason.replace(/ /g, "-");
