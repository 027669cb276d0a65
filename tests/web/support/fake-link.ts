/** A stand-in for the room module: the test plays the LiveKit side by hand. */
import { expect, vi } from "vitest";
import type { BeingId } from "../../../src/shared/entities.ts";
import type { SyncBatch } from "../../../src/shared/sync.ts";
import type { LinkState, RoomHandlers } from "../../../src/web/sync/room.ts";
import { signedPacket } from "./signed.ts";

/** Returns `open` (pass as `openLink`) and controls to deliver batches and states. */
export function fakeLink() {
  let handlers: RoomHandlers | undefined;
  // Signing takes a moment: packets still reach the pump in the order they were delivered.
  let delivered: Promise<void> = Promise.resolve();
  const link = {
    /** The store opens its room once the space has painted (see createSpaceSync). */
    opened: false,
    closed: false,
    /** What the page said of my typing, in order. */
    typing: [] as boolean[],
    /** What the page published on the sync topic (its own relayed batches), in order. */
    published: [] as Uint8Array[],
    /** Set to make the next publishes fail, as LiveKit's would with the data channel down. */
    publishFails: false,
    /** Whether the connection may publish data (false: the server took it back, as from a flooder). */
    mayPublish: true,
    open(_spaceId: BeingId, given: RoomHandlers) {
      handlers = given;
      link.opened = true;
      return {
        close: () => void (link.closed = true),
        setTyping: (typing: boolean) => void link.typing.push(typing),
        async publish(packet: Uint8Array) {
          if (link.publishFails) throw new Error("publish failed");
          link.published.push(packet);
        },
        mayPublish: () => link.mayPublish,
      };
    },
    /** Resolves once the store has opened the room. */
    ready: () => vi.waitFor(() => expect(link.opened).toBe(true)),
    /** Sends a batch as the server's packet would carry it, signed (`relayed`: as a writer in the room would); resolves once the pump has it. */
    deliver(batch: SyncBatch, relayed = false): Promise<void> {
      const packet = signedPacket(batch);
      delivered = delivered.then(async () => handlers?.onPacket(await packet, relayed ? "@ada#tab" : undefined));
      return delivered;
    },
    /** Sends raw bytes on the sync topic, as any participant could (`sender`: whom LiveKit names; null: nobody, as for the server's). */
    deliverRaw(packet: Uint8Array, sender: string | null = "@mallory#tab") {
      delivered = delivered.then(() => handlers?.onPacket(packet, sender ?? undefined));
      return delivered;
    },
    state(state: LinkState) {
      handlers?.onState(state);
    },
    presence(online: BeingId[], typing: BeingId[] = []) {
      handlers?.onPresence({ online: new Set(online), typing: new Set(typing), media: new Set() });
    },
  };
  return link;
}
