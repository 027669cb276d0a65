/**
 * A space's state and how changes move it, as plain data manipulation: no DOM, no network, no Solid.
 * What to apply was decided before (a batch by `receive` in src/shared/sync.ts, a catch-up page by
 * the pump). Every function here mutates the state it is given, so the store can run it inside
 * Solid's `produce` (one batch = one store transaction, only touched rows notified) and a test can
 * run it on a plain object.
 */
import type { Being, BeingId, Intention, IntentionId } from "../../shared/entities.ts";
import type { Change } from "../../shared/sync.ts";
import type { HistoryPage, Moderation, SpaceFacts, SpaceSnapshot } from "../../shared/responses.ts";

export interface SpaceState {
  space: Being;
  /** Beings located in the space now (the space itself is not among them). */
  beings: Record<BeingId, Being>;
  intentions: Record<IntentionId, Intention>;
  /** Ids of `intentions`, sorted by (createdAt, id). */
  order: IntentionId[];
  /** The last change seq applied. */
  last: number;
  /** Older intentions exist that are not loaded. */
  hasMore: boolean;
  /** The space being itself was deleted. */
  deleted: boolean;
  /** Whose messages I may remove here, as the snapshot said (the server's rule, never re-derived here). */
  moderation?: Moderation;
  /** I may change the space itself (the snapshot's mayManage). */
  mayManage?: boolean;
}

/** Orders intentions by (createdAt, id), the contract's conversation order. */
export function compareIntentions(a: Intention, b: Intention): number {
  const byTime = a.createdAt.getTime() - b.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The state a space snapshot describes. */
export function fromSnapshot(snapshot: SpaceSnapshot): SpaceState {
  const beings: Record<BeingId, Being> = {};
  for (const being of snapshot.beings) if (being.id !== snapshot.space.id) beings[being.id] = being;
  const intentions: Record<IntentionId, Intention> = {};
  for (const intention of snapshot.intentions) intentions[intention.id] = intention;
  return {
    space: snapshot.space,
    beings,
    intentions,
    order: snapshot.intentions.slice().sort(compareIntentions).map((i) => i.id),
    last: snapshot.seq,
    hasMore: snapshot.hasMore,
    deleted: false,
    moderation: snapshot.moderation,
    mayManage: snapshot.mayManage,
  };
}

/** Takes in what the server says I may do in the space (facts it did not give are left as they are). */
export function applyFacts(draft: SpaceState, facts: SpaceFacts): void {
  // Replaced only when different: every message row reads it.
  if (facts.moderation && JSON.stringify(facts.moderation) !== JSON.stringify(draft.moderation)) draft.moderation = facts.moderation;
  if (facts.mayManage !== undefined) draft.mayManage = facts.mayManage;
}

/**
 * Applies changes that connect to the state (a batch `receive` judged `apply`, or a page of the changes
 * endpoint): those with seq > last, then last = `to`, the end of the seqs they cover.
 */
export function applyChanges(draft: SpaceState, changes: readonly Change[], to: number): void {
  // Every splice of the store's `order` shifts each later index through the store proxy (and
  // re-runs each row's look at its neighbour). A large batch edits a plain copy and assigns it
  // once; a small one (the live case) splices in place so untouched rows are not revisited.
  const order = changes.length > BULK_CHANGES ? draft.order.slice() : draft.order;
  for (const change of changes) if (change.seq > draft.last) applyChange(draft, order, change);
  if (order !== draft.order) draft.order = order;
  draft.last = to;
}

/** Batches with more changes than this rebuild the order list once instead of splicing it. */
const BULK_CHANGES = 32;

/**
 * Applies a row an HTTP write returned, unless a change at or after its seq was applied
 * already (then the state holds that row or something newer, which must not be overwritten).
 */
export function applyWrite(draft: SpaceState, intention: Intention, seq: number): boolean {
  if (seq <= draft.last) return false;
  upsertIntention(draft, draft.order, intention);
  return true;
}

/** Removes an intention the caller has just deleted (a 204 carries no seq; the broadcast will confirm). */
export function removeIntention(draft: SpaceState, id: IntentionId, order = draft.order): void {
  const row = draft.intentions[id];
  if (!row) return;
  order.splice(positionOf(draft, order, row), 1);
  delete draft.intentions[id];
}

/** Merges a page of older history (already-known rows keep their newer state). */
export function addHistory(draft: SpaceState, page: HistoryPage): void {
  draft.hasMore = page.hasMore;
  const fresh = page.intentions.filter((i) => i.locationId === draft.space.id && !draft.intentions[i.id]);
  if (fresh.length === 0) return;
  for (const row of fresh) draft.intentions[row.id] = row;
  fresh.sort(compareIntentions);
  // One merge of two sorted lists: O(n) and a single assignment, instead of n splices.
  const merged: IntentionId[] = [];
  let i = 0;
  for (const id of draft.order) {
    while (i < fresh.length && compareIntentions(fresh[i], draft.intentions[id]) < 0) merged.push(fresh[i++].id);
    merged.push(id);
  }
  while (i < fresh.length) merged.push(fresh[i++].id);
  draft.order = merged;
}

function applyChange(draft: SpaceState, order: IntentionId[], change: Change): void {
  if (change.kind === "being") {
    if (change.op === "upsert") upsertBeing(draft, change.data);
    else if (change.id === draft.space.id) draft.deleted = true;
    else delete draft.beings[change.id];
  } else if (change.op === "upsert") {
    upsertIntention(draft, order, change.data);
  } else {
    removeIntention(draft, change.id, order);
  }
}

function upsertBeing(draft: SpaceState, row: Being): void {
  if (row.id === draft.space.id) {
    Object.assign(draft.space, row);
  } else if (row.locationId !== draft.space.id) {
    delete draft.beings[row.id];
  } else if (draft.beings[row.id]) {
    Object.assign(draft.beings[row.id], row);
  } else {
    draft.beings[row.id] = row;
  }
}

function upsertIntention(draft: SpaceState, order: IntentionId[], row: Intention): void {
  if (row.locationId !== draft.space.id) return removeIntention(draft, row.id, order);
  const existing = draft.intentions[row.id];
  if (existing) {
    if (existing.createdAt.getTime() === row.createdAt.getTime()) {
      // Field by field, so the store only notifies what changed and the row keeps its identity.
      Object.assign(existing, row);
      return;
    }
    removeIntention(draft, row.id, order);
  } else if (draft.hasMore && order.length > 0) {
    // Older than anything loaded while older history is not: it will arrive, current, with that page.
    const oldest = draft.intentions[order[0]];
    if (compareIntentions(row, oldest) < 0) return;
  }
  draft.intentions[row.id] = row;
  order.splice(insertionPoint(draft, order, row), 0, row.id);
}

/** First index whose row sorts after `row` (a binary search; appending the newest is checked first). */
function insertionPoint(draft: SpaceState, order: IntentionId[], row: Intention): number {
  const { intentions } = draft;
  const n = order.length;
  if (n === 0 || compareIntentions(intentions[order[n - 1]], row) < 0) return n;
  let low = 0;
  let high = n;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareIntentions(intentions[order[mid]], row) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function positionOf(draft: SpaceState, order: IntentionId[], row: Intention): number {
  const index = insertionPoint(draft, order, row) - 1;
  return order[index] === row.id ? index : order.indexOf(row.id);
}
