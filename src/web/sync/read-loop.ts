/** The one place a space's packets are read, one at a time, and what each verdict does: the pump's inner loop. */
import type { BeingId } from "../../shared/entities.ts";
import type { SignedBatch } from "../../shared/signing.ts";
import { reportMutedConnection } from "../api.ts";
import { createMute, judge, receive, type PacketReader, type Verdict } from "../../shared/sync.ts";
import { createHoldBack } from "./hold-back.ts";
import { createInbox, timeSlices } from "./inbox.ts";
import type { PumpSink } from "./pump.ts";
import { createOwnBatches, type SentWrite } from "./relay.ts";
import type { Tally } from "./tally.ts";

export interface ReadLoopOptions {
  sink: Pick<PumpSink, "last" | "apply">;
  tally: Tally;
  /** Whether reading goes on: the pump is open and has a state. */
  working(): boolean;
  /** Catches up over HTTP; false if it could not (retrying is the caller's). */
  catchUp(): Promise<boolean>;
  /** Publishes an own batch into the room; rejects without a room. */
  publish(packet: Uint8Array<ArrayBuffer>): Promise<void>;
  /** Sends a confirmation of published relays (default: POST /api/spaces/:id/relayed). */
  confirmRelayed?: (to: number) => Promise<unknown>;
  /** Reports a connection muted for junk or forged packets (default: POST /api/spaces/:id/muted). */
  reportMuted?: (identity: string) => Promise<unknown>;
}

/** Reads a space's packets, own batches and catch-ups in one queue: nothing else changes the state between a packet's verdict and what is done about it. */
export function createReadLoop(
  spaceId: BeingId,
  { sink, tally, working, catchUp, publish, confirmRelayed, reportMuted = (identity) => reportMutedConnection(spaceId, identity) }: ReadLoopOptions,
) {
  let reader: PacketReader | undefined;
  let wantCatchUp = false;
  let running: Promise<void> | undefined;
  const point = () => ({ space: spaceId, last: sink.last()! });
  const holdBack = createHoldBack({
    judge: (batch) => judge(batch, point()),
    act,
    catchUp: () => void catchUpSoon(),
    count: tally.count,
  });
  const inbox = createInbox(() => {
    tally.count("dropped.inbox");
    // A real packet may have been lost: a catch-up follows within the hold-back.
    holdBack.lost();
  });
  const read = (packet: Uint8Array) => receive(packet, point(), reader!);
  const flooders = createMute();
  const own = createOwnBatches(spaceId, { read, act: (verdict) => act(verdict, "own"), publish, tally, confirmRelayed });

  async function work(): Promise<void> {
    const slice = timeSlices();
    while (working()) {
      if (wantCatchUp) {
        wantCatchUp = false;
        if (!(await catchUp())) {
          // The catch-up to come fetches everything after `last`: buffered packets add nothing.
          inbox.clear();
          return;
        }
        // What the catch-up did not cover, held batches may still bring.
        holdBack.release();
        continue;
      }
      // Packets wait for their reader (loaded with the room).
      if (!reader) return;
      if (own.pending()) {
        await own.takeNext();
        continue;
      }
      const next = inbox.take();
      if (!next) return;
      const verdict = await read(next.packet);
      // The server takes a muted flooder's publishing back, so LiveKit drops its packets before they reach anyone.
      if (verdict.kind === "rejected" && next.sender && flooders.refused(next.sender, verdict.reason)) {
        void reportMuted(next.sender).catch(() => tally.count("muted.unreported"));
      }
      act(verdict, next.sender ? "relay" : "room");
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
        // The space itself changed (members, owner): what I may do there, or whether I may read it at all,
        // is the server's to say, and the catch-up asks it (its facts, or 404).
        if (verdict.batch.changes.some((change) => change.kind === "being" && change.id === spaceId)) wantCatchUp = true;
        tally.count(from === "own" ? "applied.own" : "applied");
        // A sender LiveKit could name is a writer relaying (the server has none); one not announced yet counts as the server's.
        if (from === "relay") tally.count("relayed");
        // The lag of the page's own changes is its write's round trip, not how sync reaches it.
        if (from !== "own") for (const change of verdict.batch.changes) tally.lagOf(change.at);
        return holdBack.release();
    }
  }

  /** Processes the queue one item at a time: packets and catch-ups never interleave. */
  function drain(): Promise<void> {
    running ??= work().finally(() => {
      running = undefined;
      if (working() && ((reader && (inbox.pending() || own.pending())) || wantCatchUp)) void drain();
    });
    return running;
  }

  /** Catches up before the next packet is read; resolves once the queue is empty. */
  function catchUpSoon(): Promise<void> {
    wantCatchUp = true;
    return drain();
  }

  return {
    drain,
    catchUpSoon,
    /** Lets packets be read: their code and the signing keys have loaded. */
    readWith(loaded: PacketReader): void {
      reader = loaded;
      void drain();
    },
    canRead: () => reader !== undefined,
    /** Queues a packet from the room. */
    take(packet: Uint8Array, sender: string | undefined): void {
      // A named sender that has sent nothing but junk is not worth verifying any more.
      if (sender && flooders.muted(sender)) return tally.count("rejected.muted");
      inbox.add({ packet, sender });
      void drain();
    },
    /** Queues the signed batches one of this page's writes answered with. */
    takeOwn(sync: readonly SignedBatch[], write: SentWrite): void {
      own.add(sync, write);
      void drain();
    },
    close: holdBack.close,
  };
}

/** A reason as a count's name: "bad signature" → "bad-signature". */
const slug = (reason: string) => reason.replace(/ /g, "-");
