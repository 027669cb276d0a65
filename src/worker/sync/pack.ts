/** Packs a run of changes into as few SyncBatch payloads as fit LiveKit's reliable packet limit, once signed. */
import superjson from "superjson";
import type { BeingId } from "../../shared/entities.ts";
import { SIGNED_ENVELOPE_BYTES } from "../../shared/signing.ts";
import { MAX_SYNC_PAYLOAD_BYTES, type Change, type SyncBatch } from "../../shared/sync.ts";

export interface Packed {
  batch: SyncBatch;
  /** superjson.stringify(batch): the text a SignedBatch carries (and its signature covers). */
  payload: string;
  /** What the signed packet will weigh: the payload as a JSON string inside its envelope. */
  packetBytes: number;
}

const encoder = new TextEncoder();
/** The payload travels JSON-escaped inside the SignedBatch envelope, so quotes count twice. */
const escapedBytes = (text: string) => encoder.encode(JSON.stringify(text)).length;
const packetBytesOf = (payload: string) => escapedBytes(payload) + SIGNED_ENVELOPE_BYTES;
const key = (change: Change) => `${change.kind}:${change.id}`;

// The batch's superjson envelope and the signed packet's, beyond each change's own JSON.
const ENVELOPE_BYTES = 160 + SIGNED_ENVELOPE_BYTES;
const PER_CHANGE_META_BYTES = 80;

interface Draft {
  from: number;
  to: number;
  /** Latest change per entity, in seq order (Map keeps insertion order; re-inserting moves a key last). */
  changes: Map<string, { change: Change; bytes: number }>;
  bytes: number;
  ref: boolean;
}

/**
 * Splits `changes` (ascending, gap-free) into batches covering every seq: repeated changes to one
 * entity inside a batch are coalesced into the last, a change too large for any packet becomes a
 * `ref: true` batch that tells receivers to fetch it. Each signed packet is at most `maxBytes`.
 */
export function packChanges(space: BeingId, changes: readonly Change[], maxBytes = MAX_SYNC_PAYLOAD_BYTES): Packed[] {
  const packed: Packed[] = [];
  let draft: Draft | null = null;
  const flush = () => {
    if (draft) packed.push(...finish(space, draft, maxBytes));
    draft = null;
  };
  for (const change of changes) {
    const bytes = escapedBytes(superjson.stringify(change)) + PER_CHANGE_META_BYTES;
    const tooLarge = bytes + ENVELOPE_BYTES > maxBytes;
    const current = draft as Draft | null;
    if (current && (current.ref !== tooLarge || (!tooLarge && current.bytes + bytes > maxBytes))) flush();
    const open: Draft = (draft as Draft | null) ?? { from: change.seq, to: change.seq, changes: new Map(), bytes: ENVELOPE_BYTES, ref: tooLarge };
    draft = open;
    open.to = change.seq;
    if (tooLarge) continue;
    const previous = open.changes.get(key(change));
    if (previous) {
      open.changes.delete(key(change));
      open.bytes -= previous.bytes;
    }
    open.changes.set(key(change), { change, bytes });
    open.bytes += bytes;
  }
  flush();
  return packed;
}

/** Encodes a draft; if the size estimate was short, splits it at its middle change and tries again. */
function finish(space: BeingId, draft: Draft, maxBytes: number): Packed[] {
  const changes = [...draft.changes.values()].map((entry) => entry.change);
  const batch: SyncBatch = draft.ref
    ? { v: 1, space, from: draft.from, to: draft.to, changes: [], ref: true }
    : { v: 1, space, from: draft.from, to: draft.to, changes };
  const payload = superjson.stringify(batch);
  const packetBytes = packetBytesOf(payload);
  if (packetBytes <= maxBytes || changes.length < 2) return [{ batch, payload, packetBytes }];
  const middle = changes[Math.floor(changes.length / 2)]!.seq;
  const split = (from: number, to: number, part: Change[]): Draft => ({
    from,
    to,
    changes: new Map(part.map((change) => [key(change), { change, bytes: 0 }])),
    bytes: 0,
    ref: false,
  });
  return [
    ...finish(space, split(draft.from, middle - 1, changes.filter((c) => c.seq < middle)), maxBytes),
    ...finish(space, split(middle, draft.to, changes.filter((c) => c.seq >= middle)), maxBytes),
  ];
}

/**
 * The one batch of `changes` (a write's own, which its writer may relay): as packed when it fits one
 * packet, else a `ref` batch covering them all.
 */
export function packOne(space: BeingId, changes: readonly Change[], maxBytes = MAX_SYNC_PAYLOAD_BYTES): Packed {
  const packed = packChanges(space, changes, maxBytes);
  if (packed.length === 1) return packed[0]!;
  const batch: SyncBatch = { v: 1, space, from: changes[0]!.seq, to: changes.at(-1)!.seq, changes: [], ref: true };
  const payload = superjson.stringify(batch);
  return { batch, payload, packetBytes: packetBytesOf(payload) };
}
