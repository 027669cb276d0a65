/** Beings: who am I, read, create, change, hand over, delete. */
import { Hono } from "hono";
import { object } from "zod";
import { ApiError } from "../../shared/errors.ts";
import { newBeingId } from "../../shared/ids.ts";
import type { BeingId } from "../../shared/entities.ts";
import type { BeingRead, BeingWriteResult, Me } from "../../shared/responses.ts";
import { beingCreate, beingId, beingPatch, ownerHandOver, type BotSecretsInput } from "../../shared/schemas.ts";
import { sealApiKey } from "../bots/secrets.ts";
import { createBeing, deleteBeing, getBeing, getMe, handOver, patchBeing, type SealedKey } from "../db/queries/beings.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";
import { ejectLostReaders } from "../sync/ejection.ts";
import { notifyAfterCommit } from "../sync/notify.ts";
import { relayableChanges, relayRequested } from "../sync/relay.ts";

const byId = valid("param", object({ id: beingId }));

/** The write-only secrets of a request, sealed before they reach a query (the plain key never does). */
async function sealed(env: Env, bot: BeingId, secrets: BotSecretsInput | undefined): Promise<SealedKey> {
  if (!secrets) return undefined;
  return secrets.apiKey === null ? null : await sealApiKey(env, bot, secrets.apiKey);
}

export const beings = new Hono<AppEnv>()
  .get("/me", async (c) => c.json((await getMe(c.var.db, c.var.viewer)) satisfies Me, 200))
  .get("/beings/:id", byId, async (c) => c.json((await getBeing(c.var.db, c.var.viewer, c.req.valid("param").id)) satisfies BeingRead, 200))
  .post("/beings", valid("json", beingCreate), async (c) => {
    const input = c.req.valid("json");
    if (input.type === "guest") throw new ApiError("VALIDATION", "type: guests are created by signing in");
    const { secrets, ...fields } = input;
    if (secrets && input.type !== "bot") throw new ApiError("VALIDATION", "secrets: only a bot has an API key");
    const id = input.id ?? newBeingId(input.name);
    if (input.locationId === id) throw new ApiError("VALIDATION", "locationId: a being cannot be inside itself");
    const { being, touched, appended } = await createBeing(c.var.db, c.var.viewer, id, fields, await sealed(c.env, id, secrets), relayRequested(c));
    return c.json({ being, sync: await relayableChanges(c, touched, appended) } satisfies BeingWriteResult, 201);
  })
  .patch("/beings/:id", byId, valid("json", beingPatch), async (c) => {
    const { id } = c.req.valid("param");
    const { secrets, ...patch } = c.req.valid("json");
    if (patch.locationId === id) throw new ApiError("VALIDATION", "locationId: a being cannot be inside itself");
    const { being, touched, appended, ejected } = await patchBeing(c.var.db, c.var.viewer, id, patch, await sealed(c.env, id, secrets), relayRequested(c));
    await ejectLostReaders(c.env, c.var.db, id, ejected);
    return c.json({ being, sync: await relayableChanges(c, touched, appended) } satisfies BeingWriteResult, 200);
  })
  // Handing over: ownerId in PATCH stays a superuser's; an owner gives a being away here (may_hand_over).
  .post("/beings/:id/owner", byId, valid("json", ownerHandOver), async (c) => {
    const { id } = c.req.valid("param");
    const { ownerId, ifVersion } = c.req.valid("json");
    const { being, touched, appended, ejected } = await handOver(c.var.db, c.var.viewer, id, ownerId, ifVersion, relayRequested(c));
    await ejectLostReaders(c.env, c.var.db, id, ejected);
    return c.json({ being, sync: await relayableChanges(c, touched, appended) } satisfies BeingWriteResult, 200);
  })
  // A delete answers 204 with no body, so it carries no `sync` and is never relayed: broadcast at once.
  .delete("/beings/:id", byId, async (c) => {
    notifyAfterCommit(c, await deleteBeing(c.var.db, c.var.viewer, c.req.valid("param").id));
    return c.body(null, 204);
  });
