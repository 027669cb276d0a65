/** LiveKit: join tokens for browsers, and the server-side data sender for sync payloads. */
import { AccessToken, DataPacket_Kind, RoomServiceClient, TrackSource, type SendDataOptions } from "livekit-server-sdk";
import type { BeingId } from "../../shared/entities.ts";
import { connectionIdentity } from "../../shared/presence.ts";
import { retryAfterSeconds } from "../../shared/retry-after.ts";
import { SYNC_TOPIC } from "../../shared/sync.ts";

export interface LivekitConfig {
  /** What browsers connect to (ws: or wss:). */
  wsUrl: string;
  /** Where the server API answers (http: or https:). */
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
}

/**
 * LiveKit answers SendData within milliseconds when the room exists, but holds a request for a room
 * nobody is in until its own RPC timeout (about 3 s) before a 503; a consumer run waiting that long
 * holds up the next batch. Past this, the caller asks whether anyone is in the room at all.
 */
export const SEND_TIMEOUT_MS = 1_000;

/** A join token lives this long; the client fetches a fresh one for every (re)connect. */
export const TOKEN_TTL_SECONDS = 15 * 60;

/** LiveKit settings from the environment, or null when live sync is not configured. */
export function livekitConfig(env: Pick<Env, "LIVEKIT_URL" | "LIVEKIT_API_KEY" | "LIVEKIT_API_SECRET">): LivekitConfig | null {
  if (!env.LIVEKIT_URL || !env.LIVEKIT_API_KEY || !env.LIVEKIT_API_SECRET) return null;
  const url = new URL(env.LIVEKIT_URL);
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  const base = `${url.host}${url.pathname.replace(/\/$/, "")}`;
  return {
    wsUrl: `${secure ? "wss" : "ws"}://${base}`,
    apiUrl: `${secure ? "https" : "http"}://${base}`,
    apiKey: env.LIVEKIT_API_KEY,
    apiSecret: env.LIVEKIT_API_SECRET,
  };
}

/** Media a person may publish in a space's room. */
const PUBLISHABLE_SOURCES = [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO];

/**
 * What a connection may do in a space's room, as a token grants it and UpdateParticipant sets it: subscribe,
 * publish camera, microphone and screen share, and publish data (a writer relays its own signed changes;
 * receivers apply only batches the server signed, src/shared/signing.ts) unless that was taken back.
 */
function roomPermission(publishData: boolean) {
  return { canSubscribe: true, canPublish: true, canPublishSources: PUBLISHABLE_SOURCES, canPublishData: publishData };
}

/**
 * A token to join the space's room as one connection of the being (`<being>#<connection>`, so every
 * tab and device of a being is in the room at once), with the room permission and the right to set its
 * own attributes (presence: `typing`).
 */
export async function createJoinToken(
  config: LivekitConfig,
  room: BeingId,
  being: BeingId,
  publishData: boolean,
): Promise<{ token: string; identity: string }> {
  const identity = connectionIdentity(being);
  const token = new AccessToken(config.apiKey, config.apiSecret, { identity, ttl: TOKEN_TTL_SECONDS });
  token.addGrant({ room, roomJoin: true, ...roomPermission(publishData), canUpdateOwnMetadata: true });
  return { token: await token.toJwt(), identity };
}

/** LiveKit refused a call for the project's rate limit (429), asking us to wait `retryAfterSeconds`. */
export class LivekitRateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`LiveKit answered 429: retry after ${retryAfterSeconds} s`);
  }
}


/** Base64 of bytes, as protobuf's JSON mapping writes `bytes` fields. */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * RoomServiceClient whose sendData also takes the nonce from the caller. The SDK draws a random
 * one per call; a nonce derived from the payload lets LiveKit's room drop a retried duplicate it
 * has seen in the last seconds (its data message cache) instead of delivering it twice.
 */
export class SyncRoomService extends RoomServiceClient {
  private readonly apiUrl: string;

  constructor(config: LivekitConfig) {
    super(config.apiUrl, config.apiKey, config.apiSecret);
    this.apiUrl = config.apiUrl;
  }

  override async sendData(
    room: string,
    data: Uint8Array,
    kind: DataPacket_Kind,
    options: (SendDataOptions & { nonce?: Uint8Array }) | string[] = {},
  ): Promise<void> {
    if (Array.isArray(options) || !options.nonce) return super.sendData(room, data, kind, options as SendDataOptions);
    // The same Twirp call the SDK makes (JSON mapping of SendDataRequest), with our nonce.
    const response = await fetch(`${this.apiUrl}/twirp/livekit.RoomService/SendData`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(await this.authHeader({ roomAdmin: true, room })) },
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      body: JSON.stringify({
        room,
        data: base64(data),
        kind: DataPacket_Kind[kind],
        topic: options.topic,
        destinationIdentities: options.destinationIdentities ?? [],
        nonce: base64(options.nonce),
      }),
    });
    if (response.status === 429) {
      await response.body?.cancel();
      // At least a second; a minute when LiveKit did not say.
      throw new LivekitRateLimited(Math.max(1, Math.ceil(retryAfterSeconds(response.headers.get("Retry-After")) ?? 60)));
    }
    if (!response.ok) throw new Error(`LiveKit SendData answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  }
}

/** Takes data publishing from one connection in the room, keeping the rest of its permission (one UpdateParticipant call). */
export async function revokeDataPublishing(service: RoomServiceClient, room: BeingId, identity: string): Promise<void> {
  await service.updateParticipant(room, identity, { permission: { ...roomPermission(false), canUpdateMetadata: true } });
}

/** Broadcasts one signed sync packet to everyone in the space's room, reliably, on the `sync` topic. */
export function sendSyncPacket(service: SyncRoomService, room: BeingId, packet: Uint8Array, nonce: Uint8Array): Promise<void> {
  return service.sendData(room, packet, DataPacket_Kind.RELIABLE, { topic: SYNC_TOPIC, nonce });
}
