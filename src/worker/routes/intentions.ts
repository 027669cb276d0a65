/** Intentions by id: read, change and delete. Creation lives under the space (routes/spaces.ts). */
import { Hono } from "hono";
import { object } from "zod";
import { intentionIdParam, intentionPatch } from "../../shared/schemas.ts";
import { deleteIntention, getIntention, patchIntention } from "../db/queries/intentions.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";
import type { WriteResult } from "../../shared/responses.ts";
import { notifyAfterCommit } from "../sync/notify.ts";
import { relayableChanges, relayRequested } from "../sync/relay.ts";

const byId = valid("param", object({ id: intentionIdParam }));

export const intentions = new Hono<AppEnv>()
  // One message, e.g. the original a reply quotes when it is not loaded: 404 when deleted or unreadable alike.
  .get("/intentions/:id", byId, async (c) => c.json({ intention: await getIntention(c.var.db, c.var.viewer, c.req.valid("param").id) }, 200))
  .patch("/intentions/:id", byId, valid("json", intentionPatch), async (c) => {
    const { intention, seq, appended } = await patchIntention(c.var.db, c.var.viewer, c.req.valid("param").id, c.req.valid("json"), relayRequested(c));
    return c.json({ intention, seq, sync: await relayableChanges(c, [intention.locationId], appended) } satisfies WriteResult, 200);
  })
  // A delete answers 204 with no body, so it carries no `sync` and is never relayed: broadcast at once.
  .delete("/intentions/:id", byId, async (c) => {
    notifyAfterCommit(c, [await deleteIntention(c.var.db, c.var.viewer, c.req.valid("param").id)]);
    return c.body(null, 204);
  });
