/**
 * The writer's half of the fast path (CONTRACT.md, "Signed batches, and writers that relay them"): a
 * write sent while this page is in the space's room says `Sync-Relay: 1`; its answer's signed batches
 * are applied here at once, published unchanged into the room, and confirmed to the server, which
 * otherwise broadcasts them itself after its grace. The pump (pump.ts) does the applying and publishing.
 */
import type { BeingId } from "../../shared/entities.ts";
import type { SignedBatch } from "../../shared/signing.ts";
import { confirmRelayed, type WriteOptions } from "../api.ts";

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
export function createConfirmations(spaceId: BeingId, send: (to: number) => Promise<unknown> = (to) => confirmRelayed(spaceId, to)) {
  let published = 0;
  let confirmed = 0;
  let sending: Promise<void> | undefined;
  const flush = async () => {
    // One task later: the publishes of a burst of writes go out under one confirmation.
    await new Promise((resolve) => setTimeout(resolve));
    while (published > confirmed) {
      const to = published;
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
  };
}

