/**
 * The space list with one's unread counts, for one space page: fetched when the list is shown, then again
 * when the page comes back into view or focus, when a personal notice says a read point moved (another
 * device read: src/shared/personal-notice.ts), and every minute while the page is visible, so the counts
 * of other spaces rise without a reload. The counts are the server's; the page only zeroes the one it read.
 */
import { createSignal, type Accessor } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import type { SpaceList, UnreadCounts } from "../../shared/responses.ts";
import { getSpaceList, setSpaceMuted, untilLoaded } from "../api.ts";

/** How often the list is asked again while the page is visible. */
export const SPACE_LIST_REFRESH_MS = 60_000;

export interface SpaceListFeed {
  /** The list as last fetched; undefined until the first answer. */
  list: Accessor<SpaceList | undefined>;
  /** The first fetch failed for good (not for being offline: that one is retried). */
  failed: Accessor<boolean>;
  /** One's counts in a space; undefined signed out, or before the list came. */
  counts(space: BeingId): UnreadCounts | undefined;
  /** Asks for the list again (after the request under way, if any); a failure keeps what is shown. */
  refresh(): void;
  /** Starts fetching and following the page's focus and visibility; returns the stop. */
  follow(): () => void;
  /** Shows a space as read up to now (this page just told the server so). */
  read(space: BeingId): void;
  /** Mutes or unmutes a space; rejects with the server's refusal. */
  mute(space: BeingId, muted: boolean): Promise<void>;
}

/** A feed of the space list and its counts (nothing is fetched before `follow`). */
export function createSpaceListFeed(): SpaceListFeed {
  const [list, setList] = createSignal<SpaceList>();
  const [failed, setFailed] = createSignal(false);
  let asking = false;
  let askAgain = false;

  const refresh = () => {
    if (asking) return void (askAgain = true);
    asking = true;
    getSpaceList()
      .then(setList, () => undefined)
      .finally(() => {
        asking = false;
        if (askAgain) {
          askAgain = false;
          refresh();
        }
      });
  };
  const change = (space: BeingId, counts: Partial<UnreadCounts>) =>
    setList((now) => {
      const held = now?.unread?.[space];
      return now && held ? { ...now, unread: { ...now.unread, [space]: { ...held, ...counts } } } : now;
    });

  return {
    list,
    failed,
    counts: (space) => list()?.unread?.[space],
    refresh,
    follow() {
      untilLoaded(getSpaceList).then(setList, () => setFailed(true));
      const visible = () => document.visibilityState === "visible";
      const onVisibility = () => visible() && refresh();
      const timer = setInterval(onVisibility, SPACE_LIST_REFRESH_MS);
      document.addEventListener("visibilitychange", onVisibility);
      window.addEventListener("focus", refresh);
      return () => {
        clearInterval(timer);
        document.removeEventListener("visibilitychange", onVisibility);
        window.removeEventListener("focus", refresh);
      };
    },
    read: (space) => change(space, { unread: 0, mentions: 0 }),
    async mute(space, muted) {
      await setSpaceMuted(space, muted);
      change(space, { muted });
    },
  };
}
