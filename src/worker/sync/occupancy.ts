/**
 * Who is in each space's LiveKit room, known without asking LiveKit: its webhooks report joins and
 * leaves, and the sweeper reconciles with one ListRooms a minute in case some were missed. The
 * consumer reads the result (space_sync.occupied) and spends no LiveKit call on an empty room.
 */
import { WebhookReceiver, type WebhookEvent } from "livekit-server-sdk";
import { ApiError } from "../../shared/errors.ts";
import type { Db } from "../db/client.ts";
import { finishRoom, reconcileRooms, recordParticipant } from "../db/queries/rooms.ts";
import type { LivekitConfig, SyncRoomService } from "./livekit.ts";

/** Verifies a webhook's signature (a JWT over the body's SHA-256, signed with our API secret) and parses it. */
export async function verifyWebhook(config: LivekitConfig, body: string, authorization: string | undefined): Promise<WebhookEvent> {
  if (!authorization) throw new ApiError("UNAUTHENTICATED", "a LiveKit webhook must be signed");
  try {
    return await new WebhookReceiver(config.apiKey, config.apiSecret).receive(body, authorization);
  } catch {
    throw new ApiError("UNAUTHENTICATED", "the webhook signature is not valid");
  }
}

/** When the participant's connection joined (ms precision where LiveKit gives it): orders its events. */
function joinedAt(event: WebhookEvent): Date {
  const participant = event.participant!;
  const ms = Number(participant.joinedAtMs ?? 0n) || Number(participant.joinedAt ?? 0n) * 1000;
  return new Date(ms || Number(event.createdAt) * 1000);
}

/** Applies a verified webhook to room occupancy; other events are ignored. */
export async function applyWebhook(db: Db, event: WebhookEvent): Promise<void> {
  const room = event.room?.name;
  if (!room) return;
  const seenAt = new Date(Number(event.createdAt) * 1000);
  const participant = (present: boolean) =>
    recordParticipant(db, { space: room, identity: event.participant!.identity, present, joinedAt: joinedAt(event), seenAt });
  switch (event.event) {
    case "participant_joined":
      if (event.participant) await participant(true);
      return;
    case "participant_left":
    case "participant_connection_aborted":
      if (event.participant) await participant(false);
      return;
    case "room_finished":
      // createdAt has whole seconds: every join within that second came before the room closed.
      await finishRoom(db, room, new Date((Number(event.createdAt) + 1) * 1000));
      return;
    default:
      return;
  }
}

/** One ListRooms for every room at once, aligning occupancy with it. */
export async function reconcileOccupancy(db: Db, service: SyncRoomService): Promise<{ found: number; emptied: number }> {
  const listedAt = new Date();
  const rooms = await service.listRooms();
  return reconcileRooms(db, rooms.map((room) => ({ name: room.name, participants: room.numParticipants })), listedAt);
}
