/** A stand-in for the room module: the test plays the LiveKit side by hand. */
import type { BeingId } from "../../../src/shared/entities.ts";
import type { SyncBatch } from "../../../src/shared/sync.ts";
import type { LinkState, RoomHandlers } from "../../../src/web/sync/room.ts";

/** Returns `open` (pass as `openLink`) and controls to deliver batches and states. */
export function fakeLink() {
  let handlers: RoomHandlers | undefined;
  const link = {
    closed: false,
    open(_spaceId: BeingId, given: RoomHandlers) {
      handlers = given;
      return { close: () => void (link.closed = true) };
    },
    deliver(batch: SyncBatch) {
      handlers?.onBatch(batch);
    },
    state(state: LinkState) {
      handlers?.onState(state);
    },
    presence(ids: BeingId[]) {
      handlers?.onPresence(new Set(ids));
    },
  };
  return link;
}
