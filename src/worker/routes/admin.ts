/** Operations: the sync pipeline's counters, lag and last hour, for superusers. */
import { Hono } from "hono";
import type { SyncStats } from "../../shared/responses.ts";
import { readSyncStats } from "../db/queries/sync.ts";
import type { AppEnv } from "../env.ts";
import { budgetSettings } from "../settings.ts";

export const admin = new Hono<AppEnv>().get("/admin/stats", async (c) =>
  c.json((await readSyncStats(c.var.db, c.var.viewer, budgetSettings(c.env))) satisfies SyncStats, 200),
);
