/** Broadcasting a space's unconfirmed changes to its LiveKit room, shared by the consumer and the sweeper. */
import type { BeingId } from "../../shared/entities.ts";
import type { Db } from "../db/client.ts";
import { confirmBroadcast, pendingChanges } from "../db/queries/sync.ts";
import { sendSyncPayload, type SyncRoomService } from "./livekit.ts";
import { packChanges } from "./pack.ts";

/** Changes read from the log per round; a space that fell further behind takes several rounds. */
const PAGE_SIZE = 500;

export interface BroadcastResult {
  space: BeingId;
  /** The seq range sent, or null when nothing was pending (another run got there first). */
  from: number | null;
  to: number | null;
  payloads: number;
  changes: number;
  bytes: number;
  /** The room had nobody in it: the changes were confirmed without sending. */
  emptyRoom: boolean;
}

/** First 16 bytes of the payload's SHA-256: the same payload always carries the same nonce. */
async function nonceOf(payload: Uint8Array): Promise<Uint8Array> {
  // TextEncoder output is never backed by a SharedArrayBuffer.
  return new Uint8Array(await crypto.subtle.digest("SHA-256", payload as Uint8Array<ArrayBuffer>)).slice(0, 16);
}

/**
 * LiveKit has no room until someone joins, and refuses data for it (slowly: see SEND_TIMEOUT_MS).
 * Nobody to tell means nothing to deliver: whoever joins later subscribes first, then
 * loads a snapshot that already holds these changes.
 */
async function roomIsEmpty(service: SyncRoomService, space: BeingId): Promise<boolean> {
  const rooms = await service.listRooms([space]);
  return !rooms.some((room) => room.name === space && room.numParticipants > 0);
}

/**
 * Sends every change of the space past its confirmed broadcast seq, in seq order, and confirms what
 * LiveKit accepted. On a failure the accepted prefix stays confirmed and the error is rethrown.
 */
export async function broadcastSpace(db: Db, service: SyncRoomService, space: BeingId): Promise<BroadcastResult> {
  const result: BroadcastResult = { space, from: null, to: null, payloads: 0, changes: 0, bytes: 0, emptyRoom: false };
  for (;;) {
    const { changes, lastSeq } = await pendingChanges(db, space, PAGE_SIZE);
    if (changes.length === 0) return result;
    let sentTo: number | null = null;
    try {
      for (const { batch, payload } of packChanges(space, changes)) {
        try {
          await sendSyncPayload(service, space, payload, await nonceOf(payload));
        } catch (error) {
          if (!(await roomIsEmpty(service, space))) throw error;
          // Everything committed so far, not only this page: nobody is there for the rest either.
          sentTo = lastSeq;
          result.emptyRoom = true;
          break;
        }
        sentTo = batch.to;
        result.from ??= batch.from;
        result.to = batch.to;
        result.payloads += 1;
        result.bytes += payload.length;
        result.changes += batch.to - batch.from + 1;
      }
    } finally {
      if (sentTo !== null) await confirmBroadcast(db, space, sentTo);
    }
    if (result.emptyRoom || changes.length < PAGE_SIZE) return result;
  }
}
