/**
 * A reader who lost a private space (removed from its members, the space turned private or handed over)
 * loses it at once: each of its connections in the space's room is removed with one RemoveParticipant
 * call from the LiveKit budget. Until then it would still receive the room's broadcasts; after it, its
 * page falls back to the changes endpoint, which answers 404, and a new token is refused (404) too.
 */
import type { BeingId } from "../../shared/entities.ts";
import type { Db } from "../db/client.ts";
import { callRoomAdmin } from "./room-admin.ts";

/** Ends every connection in `identities` in the room of `space`; returns how many LiveKit confirmed. */
export async function ejectLostReaders(env: Env, db: Db, space: BeingId, identities: readonly string[]): Promise<number> {
  let ended = 0;
  for (const identity of identities) {
    const about = { event: "room_reader_ejected", space, identity };
    if (await callRoomAdmin(env, db, about, (service) => service.removeParticipant(space, identity))) ended += 1;
  }
  if (identities.length > 0) console.log(JSON.stringify({ event: "room_readers_ejected", space, connections: identities.length, ended }));
  return ended;
}
