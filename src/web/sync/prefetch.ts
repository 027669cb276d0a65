/**
 * The snapshot of the space the page was opened at, asked for as the app starts, alongside
 * GET /api/me, rather than a round trip after it (the space page mounts only once the session is
 * known). Only where the browser keeps nothing of its spaces (a first visit, or after a sign-out): one
 * that keeps them paints from its copy and catches up from there. Taken once, by that space's first
 * join; a sign-in or sign-out drops it, since it was fetched with the session of its moment.
 */
import type { BeingId } from "../../shared/entities.ts";
import type { Me, SpaceSnapshot } from "../../shared/responses.ts";
import { getSpace } from "../api.ts";

let early: { spaceId: BeingId; snapshot: Promise<SpaceSnapshot> } | undefined;
// Counts the drops: a prefetch that began before one is not started after it.
let drops = 0;

/** Starts fetching the space's snapshot if the cache holds nothing (`owner`, its owner, is none). */
export async function prefetchSnapshot(spaceId: BeingId, owner: Promise<Me | undefined>): Promise<void> {
  const dropsBefore = drops;
  if ((await owner) || drops !== dropsBefore) return;
  const snapshot = getSpace(spaceId);
  // A failure is for the join that takes it to handle (or for nobody, if none does).
  snapshot.catch(() => undefined);
  early = { spaceId, snapshot };
}

/** The prefetched snapshot of this space, once; undefined when there is none (the caller asks for it). */
export function takePrefetched(spaceId: BeingId): Promise<SpaceSnapshot> | undefined {
  if (early?.spaceId !== spaceId) return undefined;
  const { snapshot } = early;
  early = undefined;
  return snapshot;
}

/** Forgets the prefetched snapshot: the session it was fetched with is over. */
export function dropPrefetched(): void {
  early = undefined;
  drops += 1;
}
