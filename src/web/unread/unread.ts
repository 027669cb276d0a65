/**
 * Unread, for one space page: where the "New" line goes (one's read point when the space opened), marking
 * the space read as the person sees it, and the space list's counts, kept current by personal notices
 * (another device of the same being read somewhere; new notifications, which the inbox count follows too) as
 * well as by the feed's own refreshes.
 */
import { createResource, createSignal, type Accessor } from "solid-js";
import type { BeingId, IntentionId } from "../../shared/entities.ts";
import { openPersonalNotice } from "../../shared/personal-notice.ts";
import type { Keyring } from "../../shared/signing.ts";
import { getSpaceRead, markSpaceRead } from "../api.ts";
import { refreshInboxUnread } from "../notifications/count.ts";
import type { SpaceState } from "../sync/apply.ts";
import { createReadMarker } from "./read-marker.ts";

/** What the space list (loaded on demand; its feed: space-list-feed.ts) hears from the page: each a count that rises. */
export interface UnreadEvents {
  /** Personal notices verified: one's counts changed elsewhere. */
  notices: Accessor<number>;
  /** Read points this page posted in its space. */
  reads: Accessor<number>;
}

export interface Unread {
  /** The first message unread when the space opened (undefined: none, or not known yet). */
  newFrom: Accessor<IntentionId | undefined>;
  events: UnreadEvents;
  /** Takes the element at the conversation's end: seeing it (focused) posts the page's seq as the read point. */
  markEnd(end: Element): void;
  /** Takes a message row: seeing it (focused) while the end is not seen posts a read through it. */
  markRow(row: Element, id: IntentionId): void;
  /** A packet on the personal topic of this space's room. */
  onPersonalPacket(packet: Uint8Array, keyring: Keyring): void;
}

/** What unread reads of its space page. */
export interface UnreadSource {
  /** The space as the page holds it. */
  view: Accessor<SpaceState | null>;
  /** The page's connection to the space's room, if any (a read it posts needs no notice back to it). */
  connection: Accessor<string | undefined>;
}

/** Unread state for the space `spaceId`, seen by `me` on the page `page`. */
export function createUnread(spaceId: BeingId, me: BeingId, page: UnreadSource): Unread {
  const { view } = page;
  // A failed read leaves no "New" line, and read points are posted as if none were held (the server keeps the highest).
  const [read] = createResource(() => getSpaceRead(spaceId).catch(() => null));
  const [notices, setNotices] = createSignal(0);
  const [reads, setReads] = createSignal(0);
  const newFrom = () => read()?.firstUnread ?? undefined;
  const marker = createReadMarker({
    seq: () => view()?.last,
    newest: () => newestByOthers(view(), me),
    readSeq: () => (read.loading ? undefined : (read()?.readSeq ?? null)),
    async post(upTo) {
      await markSpaceRead(spaceId, upTo, page.connection());
      setReads((n) => n + 1);
    },
    order: () => view()?.order ?? [],
    unreadFrom: newFrom,
    byOthers: (id) => view()?.intentions[id]?.ownerId !== me,
  });
  return {
    newFrom,
    events: { notices, reads },
    markEnd: marker.markEnd,
    markRow: marker.markRow,
    onPersonalPacket(packet, keyring) {
      void openPersonalNotice(packet, keyring, me).then((notice) => {
        if (!notice) return;
        // New notifications also change the list's mention counts: the list refreshes for either kind.
        setNotices((n) => n + 1);
        if (notice.kind === "inbox") void refreshInboxUnread();
      });
    },
  };
}

/** The newest message of `view` that someone other than `me` wrote. */
function newestByOthers(view: SpaceState | null, me: BeingId): IntentionId | undefined {
  for (let i = (view?.order.length ?? 0) - 1; i >= 0; i--) {
    const row = view!.intentions[view!.order[i]!];
    if (row && row.ownerId !== me) return row.id;
  }
  return undefined;
}
