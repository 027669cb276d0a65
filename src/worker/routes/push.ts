/** Web Push for this device (the session): the server's public key, the subscription, its preferences, and what it has open. */
import { Hono } from "hono";
import { pushPreferences, pushSubscriptionInput, pushVisible } from "../../shared/schemas.ts";
import { deviceSubscription, setDeviceKinds, setDeviceVisibleSpace, subscribeDevice, unsubscribeDevice } from "../db/queries/push.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";
import { ApiError } from "../../shared/errors.ts";
import { mayPushTo } from "../push/endpoint.ts";
import { pushServiceHosts, pushSettings } from "../settings.ts";

export const push = new Hono<AppEnv>()
  // Public: the key a browser subscribes with (applicationServerKey); null while push is off.
  .get("/push/key", (c) => c.json({ publicKey: pushSettings(c.env)?.publicKey ?? null }, 200))
  .get("/push/subscription", async (c) => c.json({ subscription: await deviceSubscription(c.var.db, c.var.viewer) }, 200))
  .put("/push/subscription", valid("json", pushSubscriptionInput), async (c) => {
    const input = c.req.valid("json");
    if (!mayPushTo(input.endpoint, pushServiceHosts(c.env))) throw new ApiError("VALIDATION", "endpoint: not a push service this server sends to");
    return c.json({ subscription: await subscribeDevice(c.var.db, c.var.viewer, input) }, 200);
  })
  .patch("/push/subscription", valid("json", pushPreferences), async (c) =>
    c.json({ subscription: await setDeviceKinds(c.var.db, c.var.viewer, c.req.valid("json").kinds) }, 200))
  .delete("/push/subscription", async (c) => {
    await unsubscribeDevice(c.var.db, c.var.viewer);
    return c.body(null, 204);
  })
  .post("/push/visible", valid("json", pushVisible), async (c) => {
    await setDeviceVisibleSpace(c.var.db, c.var.viewer, c.req.valid("json").space);
    return c.body(null, 204);
  });
