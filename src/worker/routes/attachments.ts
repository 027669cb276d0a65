/**
 * Attachments: uploading a file to a space, giving it a preview, and serving both to whoever may read them. Bodies
 * here are files, held to the attachments' limits rather than the JSON bodies' (app.ts mounts this before that limit).
 */
import { Hono } from "hono";
import { object } from "zod";
import { attachmentKind, PREVIEW_MAX_BYTES } from "../../shared/attachments.ts";
import { ApiError } from "../../shared/errors.ts";
import { newAttachmentId } from "../../shared/ids.ts";
import { attachmentId, attachmentServe, attachmentUpload, beingId } from "../../shared/schemas.ts";
import { getReadableAttachment, reservePreview, reserveUpload } from "../db/queries/attachments.ts";
import type { AppEnv } from "../env.ts";
import { cleanFileName } from "../files/names.ts";
import { serveFile } from "../files/serve.ts";
import { objectKey } from "../files/store.ts";
import { checkBody, declaredLength, previewOf, refused, storePreview, storeUpload } from "../files/upload.ts";
import { valid } from "../http/validate.ts";
import { attachmentSettings } from "../settings.ts";

const bySpace = valid("param", object({ id: beingId }));
const byAttachment = valid("param", object({ id: attachmentId }));

export const attachments = new Hono<AppEnv>()
  // The body is the file's bytes; its row is reserved within the quotas before they are read.
  .post("/spaces/:id/attachments", bySpace, valid("query", attachmentUpload), async (c) => {
    const limits = attachmentSettings(c.env);
    const size = declaredLength(c.req.raw, limits.maxBytes);
    const id = newAttachmentId();
    const now = new Date();
    const name = cleanFileName(c.req.valid("query").name ?? "");
    const refusal = await reserveUpload(c.var.db, c.var.viewer, c.req.valid("param").id, { id, name, size }, limits, now.toISOString().slice(0, 10));
    if (refusal) throw refused(refusal, limits, now);
    const attachment = await storeUpload(c.var.db, c.env.FILES, (promise) => c.executionCtx.waitUntil(promise), id, c.req.raw.body, size);
    return c.json({ attachment }, 201);
  })
  // A smaller rendition the uploading page made, while the upload is still its own and unattached; its bytes count in
  // the quotas like the upload's. What it is, is read from its head before anything is reserved.
  .put("/attachments/:id/preview", byAttachment, async (c) => {
    const id = c.req.valid("param").id;
    const limits = attachmentSettings(c.env);
    const size = declaredLength(c.req.raw, PREVIEW_MAX_BYTES);
    const body = await checkBody(c.req.raw.body, size);
    const preview = previewOf(body.head);
    const now = new Date();
    const side = Math.max(preview.width, preview.height);
    const refusal = await reservePreview(c.var.db, c.var.viewer, id, { size, side }, limits, now.toISOString().slice(0, 10));
    if (refusal) throw refused(refusal, limits, now);
    return c.json({ attachment: await storePreview(c.var.db, c.env.FILES, c.var.viewer, id, body, preview) }, 200);
  })
  .get("/attachments/:id", byAttachment, valid("query", attachmentServe), async (c) => {
    const id = c.req.valid("param").id;
    const { attachment } = await getReadableAttachment(c.var.db, c.var.viewer, id);
    const inline = c.req.valid("query").download !== "1" && attachmentKind(attachment) !== "file";
    return serveFile(c.env.FILES, { key: objectKey(id), type: attachment.type, name: attachment.name, inline }, c.req.raw.headers);
  })
  .get("/attachments/:id/preview", byAttachment, async (c) => {
    const id = c.req.valid("param").id;
    const { attachment, previewType } = await getReadableAttachment(c.var.db, c.var.viewer, id);
    if (!attachment.preview || !previewType) throw new ApiError("NOT_FOUND", "this attachment has no preview");
    // Always in place: a preview is a small JPEG, PNG or WebP (previewOf).
    return serveFile(c.env.FILES, { key: objectKey(id, "preview"), type: previewType, name: attachment.name, inline: true }, c.req.raw.headers);
  });
