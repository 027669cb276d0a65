/**
 * Unread for a space page with its code loaded after the first screen (unread.ts: the "New" line, marking
 * read, the list's live counts): the page wires these stand-ins at once, and they pass on once it is in.
 */
import { createSignal, getOwner, runWithOwner } from "solid-js";
import type { BeingId, IntentionId } from "../../shared/entities.ts";
import type { Unread, UnreadSource } from "./unread.ts";

/** Loads unread for the space once `after` resolves (the conversation is on screen). */
export function unreadOnDemand(after: Promise<unknown>, spaceId: BeingId, me: BeingId, page: UnreadSource): Unread {
  const owner = getOwner();
  const [unread, setUnread] = createSignal<Unread>();
  let end: Element | undefined;
  // Rows rendered before the code is in, handed over once it is.
  const rows: [Element, IntentionId][] = [];
  void after
    .then(() => import("./unread.ts"))
    .then(({ createUnread }) =>
      runWithOwner(owner, () => {
        const loaded = createUnread(spaceId, me, page);
        if (end) loaded.markEnd(end);
        for (const [row, id] of rows.splice(0)) if (row.isConnected) loaded.markRow(row, id);
        setUnread(loaded);
      }),
    );
  return {
    newFrom: () => unread()?.newFrom(),
    events: { notices: () => unread()?.events.notices() ?? 0, reads: () => unread()?.events.reads() ?? 0 },
    markEnd(element) {
      end = element;
      unread()?.markEnd(element);
    },
    markRow(row, id) {
      const loaded = unread();
      if (loaded) loaded.markRow(row, id);
      else rows.push([row, id]);
    },
    // The room opens only after the conversation is shown, so no notice comes before this is loaded.
    onPersonalPacket: (packet, keyring) => unread()?.onPersonalPacket(packet, keyring),
  };
}
