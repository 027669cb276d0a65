/** Intentions by id: read, change, delete, and react to. Creation lives under the space (routes/spaces.ts). */
import { Hono } from "hono";
import { object } from "zod";
import { intentionIdParam, intentionPatch, reactionParam } from "../../shared/schemas.ts";
import { deleteIntention, getIntention, patchIntention } from "../db/queries/intentions.ts";
import { setReaction } from "../db/queries/reactions.ts";
import type { AppEnv } from "../env.ts";
import { collectGarbageLater } from "../files/store.ts";
import { valid } from "../http/validate.ts";
import type { WriteResult } from "../../shared/responses.ts";
import { notifyAfterCommit } from "../sync/notify.ts";
import { relayableChanges, relayRequested } from "../sync/relay.ts";

const byId = valid("param", object({ id: intentionIdParam }));
const byReaction = valid("param", reactionParam);

export const intentions = new Hono<AppEnv>()
  // One message, e.g. the original a reply quotes when it is not loaded: 404 when deleted or unreadable alike.
  .get("/intentions/:id", byId, async (c) => c.json({ intention: await getIntention(c.var.db, c.var.viewer, c.req.valid("param").id) }, 200))
  .patch("/intentions/:id", byId, valid("json", intentionPatch), async (c) => {
    const { intention, seq, appended } = await patchIntention(c.var.db, c.var.viewer, c.req.valid("param").id, c.req.valid("json"), relayRequested(c));
    return c.json({ intention, seq, sync: await relayableChanges(c, [intention.locationId], appended) } satisfies WriteResult, 200);
  })
  // A delete answers 204 with no body, so it carries no `sync` and is never relayed: broadcast at once.
  // Its files' rows went with it; their bytes follow after the response.
  .delete("/intentions/:id", byId, async (c) => {
    const { space, hadFiles } = await deleteIntention(c.var.db, c.var.viewer, c.req.valid("param").id);
    notifyAfterCommit(c, [space]);
    if (hadFiles) collectGarbageLater((promise) => c.executionCtx.waitUntil(promise), c.var.db, c.env.FILES);
    return c.body(null, 204);
  })
  // A reaction is added (PUT) or taken back (DELETE), answered as an edit is: the message and its change, signed.
  // A repeat appends nothing, so it has nothing to relay or broadcast.
  .on(["PUT", "DELETE"], "/intentions/:id/reactions/:emoji", byReaction, async (c) => {
    const { id, emoji } = c.req.valid("param");
    const { intention, seq, appended } = await setReaction(c.var.db, c.var.viewer, id, emoji, c.req.method === "PUT", relayRequested(c));
    const sync = appended.length > 0 ? await relayableChanges(c, [intention.locationId], appended) : [];
    return c.json({ intention, seq, sync } satisfies WriteResult, 200);
  });
