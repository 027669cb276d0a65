/** Intentions by id: change and delete. Creation lives under the space (routes/spaces.ts). */
import { Hono } from "hono";
import { object } from "zod";
import { intentionIdParam, intentionPatch } from "../../shared/schemas.ts";
import { deleteIntention, patchIntention } from "../db/queries/intentions.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";
import { notifyAfterCommit } from "../sync/notify.ts";

const byId = valid("param", object({ id: intentionIdParam }));

export const intentions = new Hono<AppEnv>()
  .patch("/intentions/:id", byId, valid("json", intentionPatch), async (c) => {
    const { intention, seq } = await patchIntention(c.var.db, c.var.viewer, c.req.valid("param").id, c.req.valid("json"));
    notifyAfterCommit(c, [intention.locationId]);
    return c.json({ intention, seq }, 200);
  })
  .delete("/intentions/:id", byId, async (c) => {
    notifyAfterCommit(c, [await deleteIntention(c.var.db, c.var.viewer, c.req.valid("param").id)]);
    return c.body(null, 204);
  });
