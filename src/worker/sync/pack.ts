/** Packs a run of changes into as few SyncBatch payloads as fit LiveKit's reliable packet limit. */
import superjson from "superjson";
import type { BeingId } from "../../shared/entities.ts";
import { MAX_SYNC_PAYLOAD_BYTES, type Change, type SyncBatch } from "../../shared/sync.ts";

export interface Packed {
  batch: SyncBatch;
  /** The UTF-8 text of superjson.stringify(batch): what goes on the wire. */
  payload: Uint8Array;
}

const encoder = new TextEncoder();
const encode = (batch: SyncBatch) => encoder.encode(superjson.stringify(batch));
const key = (change: Change) => `${change.kind}:${change.id}`;

// superjson's envelope and per-Date meta entries, beyond each change's own JSON.
const ENVELOPE_BYTES = 160;
const PER_CHANGE_META_BYTES = 64;

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
 * `ref: true` batch that tells receivers to fetch it. Each payload is at most `maxBytes`.
 */
export function packChanges(space: BeingId, changes: readonly Change[], maxBytes = MAX_SYNC_PAYLOAD_BYTES): Packed[] {
  const packed: Packed[] = [];
  let draft: Draft | null = null;
  const flush = () => {
    if (draft) packed.push(...finish(space, draft, maxBytes));
    draft = null;
  };
  for (const change of changes) {
    const bytes = encoder.encode(superjson.stringify(change)).length + PER_CHANGE_META_BYTES;
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
  const payload = encode(batch);
  if (payload.length <= maxBytes || changes.length < 2) return [{ batch, payload }];
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
