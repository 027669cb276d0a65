/** The sync wire format: changes, the batches broadcast on LiveKit, and the receive rule (`receive`). */
import type { Being, BeingId, Intention, IntentionId } from "./entities.ts";
import { openSignedPacket, type Keyring, type PacketFault } from "./signing.ts";

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

/** LiveKit data topic that carries signed SyncBatch packets (src/shared/signing.ts). */
export const SYNC_TOPIC = "sync";
/** LiveKit's limit for one reliable data packet: a signed batch, envelope included. */
export const MAX_SYNC_PAYLOAD_BYTES = 15 * 1024;

/** How long a receiver may hold a batch past a gap for the missing seqs before it catches up (the contract's hold-back). */
export const HOLD_BACK_MS = 500;

/** Reads a packet's text: superjson's parse, passed in so the web app loads it with the room, not before its first paint. */
export type Parse = (text: string) => unknown;

/** What a receiver reads packets with: superjson's parse and its copy of the listed signing keys. */
export interface PacketReader {
  parse: Parse;
  keyring: Keyring;
}

/** Where a receiver stands in a room: the room's space, and the last seq it applied there. */
export interface ReceiverPoint {
  space: BeingId;
  last: number;
}

/** Why a packet is not a batch for this room: it is dropped and counted, whoever sent it. */
export type Rejection = PacketFault | "another space";

/**
 * What a receiver does with a packet: nothing (`rejected`: not a signed batch for this room;
 * `duplicate`), catch up first and then offer it again (`gap`), catch up instead (`ref`: the changes
 * were too large to send), or apply it (`apply`: its changes with seq > last, then last = to).
 */
export type Verdict =
  | { kind: "rejected"; reason: Rejection }
  | { kind: "duplicate" | "gap" | "ref" | "apply"; batch: SyncBatch };

/**
 * The contract's receive rule, whole: the packet must be a batch signed by a listed key (its
 * envelope), of the room's space, and then its seqs decide (`judge`).
 */
export async function receive(packet: string | Uint8Array, at: ReceiverPoint, reader: PacketReader): Promise<Verdict> {
  const opened = await openPacket(packet, reader);
  return "fault" in opened ? { kind: "rejected", reason: opened.fault } : judge(opened.batch, at);
}

/**
 * The seq half of the rule, for a batch already opened: another space's is rejected; a batch ending at
 * or below `last` is a duplicate, one starting past last + 1 reveals a gap, a ref batch is fetched,
 * anything else is applied.
 */
export function judge(batch: SyncBatch, at: ReceiverPoint): Verdict {
  if (batch.space !== at.space) return { kind: "rejected", reason: "another space" };
  if (batch.to <= at.last) return { kind: "duplicate", batch };
  if (batch.from > at.last + 1) return { kind: "gap", batch };
  if (batch.ref) return { kind: "ref", batch };
  return { kind: "apply", batch };
}

/**
 * The envelope, the one place a packet is trusted: its signature by a listed key over its payload,
 * then the payload read as a SyncBatch. Trust never rests on who LiveKit says sent it.
 */
export async function openPacket(packet: string | Uint8Array, reader: PacketReader): Promise<{ batch: SyncBatch } | { fault: PacketFault }> {
  if ((typeof packet === "string" ? packet.length : packet.byteLength) > MAX_SYNC_PAYLOAD_BYTES) return { fault: "malformed" };
  const opened = await openSignedPacket(typeof packet === "string" ? packet : new TextDecoder().decode(packet), reader.keyring);
  if ("fault" in opened) return opened;
  try {
    const batch = reader.parse(opened.payload) as Partial<SyncBatch> | null | undefined;
    const valid =
      batch?.v === 1 && typeof batch.space === "string" && Number.isInteger(batch.from) && Number.isInteger(batch.to) && Array.isArray(batch.changes);
    return valid ? { batch: batch as SyncBatch } : { fault: "malformed" };
  } catch {
    return { fault: "malformed" };
  }
}

/** Packets a named sender may have refused as junk or forged before the rest of its packets are dropped unread. */
const MUTE_AFTER = 16;

/**
 * Senders whose packets are no longer read: those LiveKit names (never the server, never a join not yet
 * announced) once MUTE_AFTER of their packets were junk or forged; the web pump and the benches' receivers
 * mute alike. Dropping them trusts nobody: a muted writer's real changes still arrive, from the server or
 * by catch-up on the gap they leave.
 */
export function createMute() {
  const refusals = new Map<string, number>();
  return {
    /** Notes that a packet of `sender` was refused for `reason`; true when that mutes the sender (once per sender). */
    refused(sender: string, reason: Rejection): boolean {
      // An unknown key may be a rotation this page has not fetched yet; another space, a writer's mistake.
      if (reason !== "malformed" && reason !== "bad signature") return false;
      const count = (refusals.get(sender) ?? 0) + 1;
      refusals.set(sender, count);
      return count === MUTE_AFTER;
    },
    /** Whether `sender`'s packets are no longer worth reading. */
    muted: (sender: string) => (refusals.get(sender) ?? 0) >= MUTE_AFTER,
  };
}
