/** The sync wire format: changes, the batches broadcast on LiveKit, and the receive rule (`receive`). */
import type { Being, BeingId, Intention, IntentionId } from "./entities.ts";

export type Change =
  | { seq: number; at: Date; kind: "being"; op: "upsert"; id: BeingId; data: Being }
  | { seq: number; at: Date; kind: "intention"; op: "upsert"; id: IntentionId; data: Intention }
  | { seq: number; at: Date; kind: "being"; op: "delete"; id: BeingId; data?: undefined }
  | { seq: number; at: Date; kind: "intention"; op: "delete"; id: IntentionId; data?: undefined };

export interface SyncBatch {
  v: 1;
  space: BeingId;
  /** This batch covers every seq in [from, to]. */
  from: number;
  to: number;
  /** Ascending; several changes to one entity may be coalesced into the last one. */
  changes: Change[];
  /** The changes were too large to send: fetch them from the catch-up endpoint. */
  ref?: true;
}

/** LiveKit data topic that carries SyncBatch payloads. */
export const SYNC_TOPIC = "sync";
/** LiveKit's limit for one reliable data packet. */
export const MAX_SYNC_PAYLOAD_BYTES = 15 * 1024;

/** Reads a packet's text: superjson's parse, passed in so the web app loads it with the room, not before its first paint. */
export type Parse = (text: string) => unknown;

/** Where a receiver stands in a room: the room's space, and the last seq it applied there. */
export interface ReceiverPoint {
  space: BeingId;
  last: number;
}

/**
 * What a receiver does with a packet: nothing (`rejected`: not a batch for this room; `duplicate`),
 * catch up first and then offer it again (`gap`), catch up instead (`ref`: the changes were too large
 * to send), or apply it (`apply`: its changes with seq > last, then last = to).
 */
export type Verdict =
  | { kind: "rejected"; reason: "malformed" | "another space" }
  | { kind: "duplicate" | "gap" | "ref" | "apply"; batch: SyncBatch };

/**
 * The contract's receive rule, whole: the packet must be a batch (its envelope), of the room's space,
 * and then its seqs decide: a batch ending at or below `last` is a duplicate, one starting past
 * last + 1 reveals a gap, a ref batch is fetched, anything else is applied.
 */
export function receive(packet: string | Uint8Array, at: ReceiverPoint, parse: Parse): Verdict {
  const batch = openPacket(packet, parse);
  if (!batch) return { kind: "rejected", reason: "malformed" };
  if (batch.space !== at.space) return { kind: "rejected", reason: "another space" };
  if (batch.to <= at.last) return { kind: "duplicate", batch };
  if (batch.from > at.last + 1) return { kind: "gap", batch };
  if (batch.ref) return { kind: "ref", batch };
  return { kind: "apply", batch };
}

/** The envelope: a packet's text read as a SyncBatch, or undefined. The one place a packet is trusted (and so where its signature will be checked). */
function openPacket(packet: string | Uint8Array, parse: Parse): SyncBatch | undefined {
  try {
    const batch = parse(typeof packet === "string" ? packet : new TextDecoder().decode(packet)) as Partial<SyncBatch> | null | undefined;
    const valid =
      batch?.v === 1 && Number.isInteger(batch.from) && Number.isInteger(batch.to) && Array.isArray(batch.changes);
    return valid ? (batch as SyncBatch) : undefined;
  } catch {
    return undefined;
  }
}
