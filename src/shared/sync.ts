/** The sync wire format: changes, the batches broadcast on LiveKit, and the receive rule. */
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

export type BatchVerdict = "duplicate" | "gap" | "apply";

/**
 * The contract's receive rule, given the last seq a receiver applied for the space:
 * a batch ending at or below it is a duplicate, one starting past last + 1 reveals a gap
 * (catch up first), anything else is applied (its changes with seq > last).
 */
export function judgeBatch(last: number, batch: Pick<SyncBatch, "from" | "to">): BatchVerdict {
  if (batch.to <= last) return "duplicate";
  if (batch.from > last + 1) return "gap";
  return "apply";
}
