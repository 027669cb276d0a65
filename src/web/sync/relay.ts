/**
 * The writer's half of the fast path (CONTRACT.md, "Signed batches, and writers that relay them"): a
 * write sent while this page is in the space's room says `Sync-Relay: 1`; its answer's signed batches
 * are applied here at once, published unchanged into the room, and confirmed to the server, which
 * otherwise broadcasts them itself after its grace. The pump's read loop (read-loop.ts) takes them in
 * turn with the room's packets (`createOwnBatches`).
 */
import type { BeingId } from "../../shared/entities.ts";
import type { SignedBatch } from "../../shared/signing.ts";
import type { Verdict } from "../../shared/sync.ts";
import { confirmRelayed, type WriteOptions } from "../api.ts";
import type { Tally } from "./tally.ts";

/** What a write says to be relayed by its writer. */
const RELAY_OPTIONS: WriteOptions = { headers: { "Sync-Relay": "1" } };

/** A write that was sent: when, and whether it asked to be relayed (then the server waits for our confirmation). */
export interface SentWrite {
  sentAt: number;
  relayed: boolean;
}

/** Whoever takes a write's answer: the pump of the space it was written in. */
export interface RelayTarget {
  /** Whether a write sent now should say it will be relayed: the page is in the room and can publish. */
  relaying(): boolean;
  /** Takes the signed batches a write answered with. */
  relay(sync: readonly SignedBatch[], write: SentWrite): void;
}

/** Runs one write through its space's relay: `send` gets the request options to send it with. */
export type Relayer = <T>(send: (options?: WriteOptions) => Promise<T>) => Promise<T>;

/** A write that nobody relays (the space is not open here): the server broadcasts it at once. */
export const unrelayed: Relayer = (send) => send();

/** The relayer of a space whose pump is `target`. */
export function relayerOf(target: RelayTarget): Relayer {
  return async (send) => {
    const write = { sentAt: Date.now(), relayed: target.relaying() };
    const body = await send(write.relayed ? RELAY_OPTIONS : undefined);
    target.relay(syncOf(body), write);
    return body;
  };
}

/** The signed batches a write answered with: none from a delete (a 204 has no body). */
export function syncOf(body: unknown): SignedBatch[] {
  const sync = (body as { sync?: unknown } | undefined)?.sync;
  return Array.isArray(sync) ? (sync as SignedBatch[]) : [];
}

/**
 * Confirms published relays of one space, batched: at most one request under way, each covering the
 * highest seq published so far. A lost confirmation costs only the server's grace, so failures are dropped.
 */
export function createConfirmations(
  spaceId: BeingId,
  send: (to: number) => Promise<unknown> = (to) => confirmRelayed(spaceId, to),
  unconfirmedMs = UNCONFIRMED_MS,
) {
  let published = 0;
  let confirmed = 0;
  // A confirmation says every own batch up to `to` was published: never past one that failed to be.
  let ceiling = Infinity;
  let lift: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  const flush = async () => {
    // One task later: the publishes of a burst of writes go out under one confirmation.
    await new Promise((resolve) => setTimeout(resolve));
    while (Math.min(published, ceiling) > confirmed) {
      const to = Math.min(published, ceiling);
      await send(to).catch(() => undefined);
      confirmed = to;
    }
    sending = undefined;
  };
  return {
    /** Notes that every own batch up to `to` has left this page. */
    published(to: number): void {
      published = Math.max(published, to);
      sending ??= flush();
    },
    /**
     * Notes that the own batch starting at `from` could not be published: nothing from it on is confirmed
     * until the server's grace for it has passed (it broadcasts the change itself meanwhile). Should its
     * broadcast wait longer (a budget under pressure), a later confirmation covers it and receivers fetch
     * it on the gap: late, never lost.
     */
    failed(from: number): void {
      ceiling = Math.min(ceiling, from - 1);
      clearTimeout(lift);
      lift = setTimeout(() => {
        ceiling = Infinity;
        sending ??= flush();
      }, unconfirmedMs);
    },
  };
}

/** How long confirmations stay below a batch that failed to publish: the server's grace (2 s) and a margin. */
const UNCONFIRMED_MS = 5_000;


/** A batch one of this page's writes answered with: its packet as published, and the write. */
interface OwnBatch {
  packet: Uint8Array<ArrayBuffer>;
  write: SentWrite;
  answeredAt: number;
}

/** What the pump lends its own batches: how to read a packet and act on its verdict, the room, its tally. */
export interface OwnBatchesOptions {
  read(packet: Uint8Array): Promise<Verdict>;
  act(verdict: Verdict): void;
  /** Publishes a packet into the room; rejects when there is no room or it fails. */
  publish(packet: Uint8Array<ArrayBuffer>): Promise<void>;
  tally: Tally;
  /** Sends a confirmation of published relays (default: POST /api/spaces/:id/relayed). */
  confirmRelayed?: (to: number) => Promise<unknown>;
}

/** The batches this page's own writes answered with, in the order they came: each applied as any packet, then published and confirmed. */
export function createOwnBatches(spaceId: BeingId, { read, act, publish, tally, confirmRelayed }: OwnBatchesOptions) {
  const waiting: OwnBatch[] = [];
  const confirmations = createConfirmations(spaceId, confirmRelayed);

  /** Publishes an own batch into the room, and confirms it once it has left the page; a failure is left to the server's grace. */
  async function publishAndConfirm(packet: Uint8Array<ArrayBuffer>, { from, to }: { from: number; to: number }): Promise<void> {
    try {
      await publish(packet);
    } catch {
      tally.count("relays.failed");
      confirmations.failed(from);
      return;
    }
    tally.count("relays.published");
    confirmations.published(to);
  }

  return {
    /** Queues the signed batches a write answered with. */
    add(sync: readonly SignedBatch[], write: SentWrite): void {
      const answeredAt = Date.now();
      const encoder = new TextEncoder();
      for (const signed of sync) waiting.push({ packet: encoder.encode(JSON.stringify(signed)), write, answeredAt });
    },
    pending: () => waiting.length > 0,
    /** Reads the oldest waiting batch, then publishes it if its write said it would. */
    async takeNext(): Promise<void> {
      const next = waiting.shift();
      if (!next) return;
      const { packet, write, answeredAt } = next;
      const verdict = await read(packet);
      // Batches of the write's other spaces (a being that moved) are for their own rooms.
      if (verdict.kind === "rejected" && verdict.reason === "another space") return;
      act(verdict);
      if (verdict.kind === "rejected") return;
      const committed = verdict.batch.changes.at(-1)?.at;
      if (committed) tally.roundTrip(write.sentAt, answeredAt, committed);
      if (write.relayed) void publishAndConfirm(packet, verdict.batch);
    },
  };
}
