/** The beings a person picked lately in the "Go to…" dialog, newest first, kept in localStorage per signed-in being. */
import type { Being, BeingId } from "../../shared/entities.ts";

/** What is kept of a pick: enough to list it before any search answers. */
export type RecentPick = Pick<Being, "id" | "name" | "type" | "locationId">;

const KEPT = 8;
const keyOf = (me: BeingId) => `spaces:recent:${me}`;

/** The kept picks of `me`, newest first (none when storage is unreadable). */
export function recentPicks(me: BeingId): RecentPick[] {
  try {
    const kept: unknown = JSON.parse(localStorage.getItem(keyOf(me)) ?? "[]");
    return Array.isArray(kept) ? (kept as RecentPick[]).filter((pick) => typeof pick?.id === "string" && typeof pick.name === "string") : [];
  } catch {
    return [];
  }
}

/** Puts a pick first in `me`'s recent picks (once), keeping the newest KEPT. */
export function rememberPick(me: BeingId, being: RecentPick): void {
  const { id, name, type, locationId } = being;
  const picks = [{ id, name, type, locationId }, ...recentPicks(me).filter((pick) => pick.id !== id)].slice(0, KEPT);
  try {
    localStorage.setItem(keyOf(me), JSON.stringify(picks));
  } catch {
    // Storage full or off: the dialog still works, without recent picks.
  }
}

/** `found` with the recently picked ones first (in the order they were picked), the rest as ranked. */
export function recentFirst<T extends { id: BeingId }>(found: readonly T[], recent: readonly RecentPick[]): T[] {
  const rank = (id: BeingId) => {
    const index = recent.findIndex((pick) => pick.id === id);
    return index < 0 ? recent.length : index;
  };
  return found.map((being, index) => ({ being, index })).sort((a, b) => rank(a.being.id) - rank(b.being.id) || a.index - b.index).map(({ being }) => being);
}
