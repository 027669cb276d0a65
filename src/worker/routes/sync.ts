/** Sync's own endpoints: the public keys that sign every batch, and receivers' health reports. */
import { Hono } from "hono";
import { ApiError } from "../../shared/errors.ts";
import { syncHealthReport } from "../../shared/schemas.ts";
import { recordHealthReport } from "../db/queries/health.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";
import { syncSigner } from "../sync/signer.ts";

export const sync = new Hono<AppEnv>()
  .get("/sync/keys", async (c) => {
    // Public, and the same for every caller: browsers may keep it a while; an unknown kid makes them ask again.
    c.header("Cache-Control", "public, max-age=60");
    return c.json({ keys: (await syncSigner(c.env)).keys }, 200);
  })
  .post("/sync/health", valid("json", syncHealthReport), async (c) => {
    const report = c.req.valid("json");
    const { sessionId } = c.var.viewer;
    if (!sessionId) throw new ApiError("UNAUTHENTICATED", "sign in first");
    // The server cannot tell a browser's connections apart without identity: the limit is per session and
    // space (HEALTH_LIMITER, wrangler.toml), and its key is never stored.
    const { success } = await c.env.HEALTH_LIMITER.limit({ key: `${sessionId} ${report.space}` });
    if (!success) throw new ApiError("RATE_LIMITED", "too many health reports for this space this minute: this one is dropped");
    await recordHealthReport(c.var.db, c.var.viewer, report);
    return c.body(null, 204);
  });
