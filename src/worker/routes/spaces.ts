/** A space: its snapshot, history, change log, entering it, posting to it, its LiveKit token, and reports of a flooder in its room. */
import { Hono } from "hono";
import { object } from "zod";
import { ApiError } from "../../shared/errors.ts";
import { newIntentionId } from "../../shared/ids.ts";
import { beingOfIdentity } from "../../shared/presence.ts";
import type { BeingWriteResult, WriteResult } from "../../shared/responses.ts";
import { beingId, changesQuery, historyQuery, intentionCreate, mutedReport, muteSetting, readPoint, relayedConfirmation } from "../../shared/schemas.ts";
import { answerAfterCommit } from "../bots/who-answers.ts";
import { enterSpace } from "../db/queries/beings.ts";
import { createIntention } from "../db/queries/intentions.ts";
import { requireJoinGrant } from "../db/queries/publishing.ts";
import { getSpaceRead, markRead, setMuted } from "../db/queries/reads.ts";
import { getSpaceSnapshot, listChanges, listIntentions, listSpaces } from "../db/queries/spaces.ts";
import { confirmRelayed } from "../db/queries/sync.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";
import { createJoinToken, livekitConfig } from "../sync/livekit.ts";
import { presenceSettings } from "../settings.ts";
import { noticeAfterResponse } from "../sync/personal-notice.ts";
import { relayableChanges, relayRequested } from "../sync/relay.ts";
import { revokeMuted } from "../sync/revocation.ts";

const bySpace = valid("param", object({ id: beingId }));

export const spaces = new Hono<AppEnv>()
  .get("/spaces", async (c) => c.json(await listSpaces(c.var.db, c.var.viewer), 200))
  .get("/spaces/:id", bySpace, async (c) => {
    const snapshot = await getSpaceSnapshot(c.var.db, c.var.viewer, c.req.valid("param").id, presenceSettings(c.env).awayListedSeconds);
    return c.json(snapshot, 200);
  })
  .get("/spaces/:id/intentions", bySpace, valid("query", historyQuery), async (c) => {
    const { before, limit } = c.req.valid("query");
    return c.json(await listIntentions(c.var.db, c.var.viewer, c.req.valid("param").id, before, limit), 200);
  })
  .get("/spaces/:id/changes", bySpace, valid("query", changesQuery), async (c) => {
    const { after, limit } = c.req.valid("query");
    return c.json(await listChanges(c.var.db, c.var.viewer, c.req.valid("param").id, after, limit), 200);
  })
  .post("/spaces/:id/enter", bySpace, async (c) => {
    const { being, touched, appended } = await enterSpace(c.var.db, c.var.viewer, c.req.valid("param").id, relayRequested(c));
    return c.json({ being, sync: await relayableChanges(c, touched, appended) } satisfies BeingWriteResult, 200);
  })
  .post("/spaces/:id/intentions", bySpace, valid("json", intentionCreate), async (c) => {
    const space = c.req.valid("param").id;
    const { id, content, attachments } = c.req.valid("json");
    const write = await createIntention(c.var.db, c.var.viewer, space, id ?? newIntentionId(), content, attachments, relayRequested(c));
    if (!write.created) return c.json({ intention: write.intention, seq: write.seq, sync: [] } satisfies WriteResult, 200);
    const sync = await relayableChanges(c, [space], write.appended);
    answerAfterCommit(c, write.intention, write.bots);
    return c.json({ intention: write.intention, seq: write.seq, sync } satisfies WriteResult, 201);
  })
  // The caller published the relay batches of its own writes here up to `to`: their broadcast may skip them.
  .post("/spaces/:id/relayed", bySpace, valid("json", relayedConfirmation), async (c) => {
    await confirmRelayed(c.var.db, c.var.viewer, c.req.valid("param").id, c.req.valid("json").to);
    return c.body(null, 204);
  })
  .post("/spaces/:id/token", bySpace, async (c) => {
    const room = c.req.valid("param").id;
    const { being, publishData } = await requireJoinGrant(c.var.db, c.var.viewer, room);
    const config = livekitConfig(c.env);
    if (!config) throw new ApiError("UNAVAILABLE", "live sync is off: this server has no LiveKit configured");
    const { token, identity } = await createJoinToken(config, room, being, publishData);
    return c.json({ token, url: config.wsUrl, room, identity }, 200);
  })
  // A reader muted a connection for forged or junk sync packets: its being's data publishing is taken back.
  .post("/spaces/:id/muted", bySpace, valid("json", mutedReport), async (c) => {
    const { sessionId } = c.var.viewer;
    if (!sessionId) throw new ApiError("UNAUTHENTICATED", "sign in first");
    const { success } = await c.env.MUTE_LIMITER.limit({ key: sessionId });
    if (!success) throw new ApiError("RATE_LIMITED", "too many reports of muted connections this minute: this one is dropped");
    const { identity } = c.req.valid("json");
    const muted = { identity, being: beingOfIdentity(identity)! };
    return c.json({ revocation: await revokeMuted(c.env, c.var.db, c.var.viewer, c.req.valid("param").id, muted) }, 200);
  })
  // One's own read point and mute (space_reads): the "New" line, unread counts, and quiet spaces.
  .get("/spaces/:id/read", bySpace, async (c) => c.json(await getSpaceRead(c.var.db, c.var.viewer, c.req.valid("param").id), 200))
  .post("/spaces/:id/read", bySpace, valid("json", readPoint), async (c) => {
    const { by, ...upTo } = c.req.valid("json");
    const { reader, readSeq, moved } = await markRead(c.var.db, c.var.viewer, c.req.valid("param").id, upTo);
    // The being's other connections learn of it live (their counts drop): see src/worker/sync/personal-notice.ts.
    if (moved) noticeAfterResponse(c, reader, "reads", by);
    return c.json({ readSeq }, 200);
  })
  .put("/spaces/:id/mute", bySpace, valid("json", muteSetting), async (c) => {
    const { muted } = c.req.valid("json");
    noticeAfterResponse(c, await setMuted(c.var.db, c.var.viewer, c.req.valid("param").id, muted), "reads");
    return c.json({ muted }, 200);
  });
