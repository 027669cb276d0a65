/** Test helpers for room occupancy and LiveKit's webhooks, as the real server would send them. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { AccessToken } from "livekit-server-sdk";
import { app } from "../../src/worker/app.ts";
import { db, ORIGIN } from "./client.ts";
import { livekitEnv } from "./livekit-env.ts";

/** Marks a space's room occupied, as a participant_joined webhook would (the trigger sets space_sync.occupied). */
export async function occupy(space: string, identity = `@someone#${crypto.randomUUID()}`): Promise<void> {
  await db(sql`INSERT INTO room_participants (space_id, identity, present, at) VALUES (${space}, ${identity}, true, now())`);
}

/** Whether the database holds the space's room as occupied. */
export async function isOccupied(space: string): Promise<boolean> {
  const [row] = await db<{ occupied: boolean }>(sql`SELECT occupied FROM space_sync WHERE space_id = ${space}`);
  return row?.occupied ?? false;
}

/** Signs a webhook body the way livekit-server does: a JWT from the API key whose sha256 claim is the body's hash. */
export async function signWebhook(body: string, apiKey = livekitEnv.LIVEKIT_API_KEY, apiSecret = livekitEnv.LIVEKIT_API_SECRET): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const token = new AccessToken(apiKey, apiSecret);
  token.sha256 = btoa(String.fromCharCode(...new Uint8Array(digest)));
  return token.toJwt();
}

/** A webhook event body as livekit-server sends it (protobuf JSON). */
export function webhookBody(event: string, room: string, identity?: string, joinedAtMs = Date.now()): string {
  return JSON.stringify({
    event,
    room: { name: room, sid: "RM_test" },
    ...(identity ? { participant: { identity, sid: "PA_test", joinedAt: String(Math.floor(joinedAtMs / 1000)), joinedAtMs: String(joinedAtMs) } } : {}),
    id: `EV_${crypto.randomUUID()}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
  });
}

/** Posts a webhook to the worker (configured for LiveKit), signed unless `authorization` says otherwise. */
export async function postWebhook(body: string, authorization?: string | null): Promise<Response> {
  const auth = authorization === undefined ? await signWebhook(body) : authorization;
  const ctx = createExecutionContext();
  const response = await app.request(
    `${ORIGIN}/api/livekit/webhook`,
    { method: "POST", headers: { "Content-Type": "application/webhook+json", ...(auth ? { Authorization: auth } : {}) }, body },
    livekitEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}
