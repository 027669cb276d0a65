/** Operations: the sync pipeline's counters and lag, for superusers. */
import { Hono } from "hono";
import { readSyncStats } from "../db/queries/sync.ts";
import type { AppEnv } from "../env.ts";
import { syncSettings } from "../sync/settings.ts";

export const admin = new Hono<AppEnv>().get("/admin/stats", async (c) =>
  c.json(await readSyncStats(c.var.db, c.var.viewer, syncSettings(c.env).budget), 200),
);
