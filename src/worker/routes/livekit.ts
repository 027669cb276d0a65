/** LiveKit's webhooks: server to server, trusted only with a valid signature. */
import { Hono } from "hono";
import { ApiError } from "../../shared/errors.ts";
import type { BeingId } from "../../shared/entities.ts";
import type { AppEnv } from "../env.ts";
import { notifyAfterCommit } from "../sync/notify.ts";
import { livekitConfig } from "../sync/livekit.ts";
import { applyWebhook, verifyWebhook } from "../sync/occupancy.ts";

export const livekit = new Hono<AppEnv>().post("/livekit/webhook", async (c) => {
  const config = livekitConfig(c.env);
  if (!config) throw new ApiError("UNAUTHENTICATED", "live sync is off: no webhook can be verified");
  const event = await verifyWebhook(config, await c.req.text(), c.req.header("Authorization"));
  await applyWebhook(c.var.db, event);
  // A newcomer may have missed the tail of changes confirmed while the room was empty (set_room_occupied).
  if (event.event === "participant_joined" && event.room) notifyAfterCommit(c, [event.room.name as BeingId]);
  return c.json({ ok: true }, 200);
});
