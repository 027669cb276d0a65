/** The inbox: the caller's notifications (mentions, replies, bots' replies) and marking them read. */
import { Hono } from "hono";
import { notificationsQuery, notificationsRead } from "../../shared/schemas.ts";
import { listNotifications, markNotificationsRead } from "../db/queries/notifications.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";

export const notifications = new Hono<AppEnv>()
  .get("/notifications", valid("query", notificationsQuery), async (c) =>
    c.json(await listNotifications(c.var.db, c.var.viewer, c.req.valid("query")), 200))
  .post("/notifications/read", valid("json", notificationsRead), async (c) =>
    c.json({ unread: await markNotificationsRead(c.var.db, c.var.viewer, c.req.valid("json").ids) }, 200));
