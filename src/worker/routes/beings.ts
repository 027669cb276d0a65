/** Beings: read, create, change, delete. */
import { Hono } from "hono";
import { object } from "zod";
import { ApiError } from "../../shared/errors.ts";
import { newBeingId } from "../../shared/ids.ts";
import { beingCreate, beingId, beingPatch } from "../../shared/schemas.ts";
import { createBeing, deleteBeing, getBeing, patchBeing } from "../db/queries/beings.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";
import { notifyAfterCommit } from "../sync/notify.ts";

const byId = valid("param", object({ id: beingId }));

export const beings = new Hono<AppEnv>()
  .get("/beings/:id", byId, async (c) => c.json({ being: await getBeing(c.var.db, c.var.viewer, c.req.valid("param").id) }, 200))
  .post("/beings", valid("json", beingCreate), async (c) => {
    const input = c.req.valid("json");
    if (input.type === "guest") throw new ApiError("VALIDATION", "type: guests are created by signing in");
    const id = input.id ?? newBeingId(input.name);
    if (input.locationId === id) throw new ApiError("VALIDATION", "locationId: a being cannot be inside itself");
    const { being, touched } = await createBeing(c.var.db, c.var.viewer, id, input);
    notifyAfterCommit(c, touched);
    return c.json({ being }, 201);
  })
  .patch("/beings/:id", byId, valid("json", beingPatch), async (c) => {
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    if (patch.locationId === id) throw new ApiError("VALIDATION", "locationId: a being cannot be inside itself");
    const { being, touched } = await patchBeing(c.var.db, c.var.viewer, id, patch);
    notifyAfterCommit(c, touched);
    return c.json({ being }, 200);
  })
  .delete("/beings/:id", byId, async (c) => {
    notifyAfterCommit(c, await deleteBeing(c.var.db, c.var.viewer, c.req.valid("param").id));
    return c.body(null, 204);
  });
