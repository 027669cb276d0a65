/** Opening a space's room once the space is on screen, with the reader of its packets loaded alongside. */
import type { BeingId } from "../../shared/entities.ts";
import { createKeyring, type Keyring } from "../../shared/signing.ts";
import type { PacketReader } from "../../shared/sync.ts";
import { getSyncKeys } from "../api.ts";
import { afterPaint } from "../scheduling.ts";
import { openRoom, type RoomHandlers, type RoomLink } from "./room.ts";

/** The server's signing keys, shared by every space this page opens; fetched on the first packet. */
const serverKeyring = createKeyring(getSyncKeys);

export interface LinkOptions {
  openLink?: typeof openRoom;
  /** What the room waits for before it opens: the conversation on screen (default: the next paint). */
  openLinkAfter?: () => Promise<void>;
  /** The signing keys packets are checked against (default: the server's, GET /api/sync/keys). */
  keyring?: Keyring;
  /** A packet on the personal topic, with the keys to check it against (src/shared/personal-notice.ts). */
  onPersonalPacket?(packet: Uint8Array, keyring: Keyring): void;
}

export interface LinkHandlers extends RoomHandlers {
  /** The room's link, as soon as it is opened (it connects afterwards). */
  onLink(link: RoomLink): void;
  /** The packets' reader, once its code and the signing keys have loaded. */
  onReader(reader: PacketReader): void;
}

/**
 * Opens a space's room once it is shown, unless `closed()` by then. LiveKit's code, its download and its
 * connect (long tasks on a phone) never stand between a person and the messages; nothing said in between
 * is missed, as the catch-up that follows every connect fetches it.
 */
export async function openLinkWhenShown(spaceId: BeingId, options: LinkOptions, handlers: LinkHandlers, closed: () => boolean): Promise<void> {
  const { onLink, onReader, ...roomHandlers } = handlers;
  await (options.openLinkAfter ?? afterPaint)();
  if (closed()) return;
  // The packets' reader (not in the start chunk either) and the keys they are signed with, fetched
  // while the room connects: the first packet waits for neither.
  const keyring = options.keyring ?? serverKeyring;
  void Promise.all([import("superjson"), keyring.load()]).then(([{ default: superjson }]) => {
    onReader({ parse: (text) => superjson.parse(text), keyring });
  });
  const { onPersonalPacket } = options;
  const onPersonal = onPersonalPacket && ((packet: Uint8Array) => onPersonalPacket(packet, keyring));
  onLink((options.openLink ?? openRoom)(spaceId, { ...roomHandlers, onPersonalPacket: onPersonal }));
}
