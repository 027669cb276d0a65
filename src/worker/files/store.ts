/**
 * Where an attachment's bytes live in R2 (the FILES bucket), and how the bytes of deleted rows go: a trigger records
 * each deleted attachment (attachment_garbage), and this deletes its objects, then the record. A message's delete
 * runs it at once (after the response); the cron runs it for whatever is left, and deletes old unattached uploads.
 */
import type { AttachmentId } from "../../shared/attachments.ts";
import { createDb, type Db } from "../db/client.ts";
import { deleteUnattached, forgetGarbage, listGarbage } from "../db/queries/attachments.ts";
import { describeError } from "../log.ts";

/** An upload never attached to a message is deleted after a day. */
export const UNATTACHED_SECONDS = 86_400;

/** R2 deletes at most 1,000 keys a call: two per attachment. */
const GARBAGE_BATCH = 500;

/** An attachment's R2 key: its original, or its preview. */
export function objectKey(id: AttachmentId, which: "original" | "preview" = "original"): string {
  return which === "preview" ? `a/${id}/preview` : `a/${id}`;
}

/** Deletes the R2 objects of deleted attachments, then their records; returns how many attachments it cleared. */
export async function collectGarbage(db: Db, bucket: R2Bucket): Promise<number> {
  let cleared = 0;
  for (let ids = await listGarbage(db, GARBAGE_BATCH); ids.length > 0; ids = await listGarbage(db, GARBAGE_BATCH)) {
    await bucket.delete(ids.flatMap((id) => [objectKey(id), objectKey(id, "preview")]));
    await forgetGarbage(db, ids);
    cleared += ids.length;
    if (ids.length < GARBAGE_BATCH) break;
  }
  return cleared;
}

/** Collects the garbage once the response is sent; a failure is logged and left to the cron. */
export function collectGarbageLater(waitUntil: (promise: Promise<unknown>) => void, db: Db, bucket: R2Bucket): void {
  waitUntil(
    collectGarbage(db, bucket).catch((error) =>
      console.error(JSON.stringify({ event: "attachment_garbage", outcome: "failed", error: describeError(error) })),
    ),
  );
}

/** The cron's part: uploads never attached for a day are deleted, and every deleted attachment's objects with them. */
export async function sweepAttachments(env: Env): Promise<void> {
  const db = createDb(env);
  await deleteUnattached(db, UNATTACHED_SECONDS);
  await collectGarbage(db, env.FILES);
}
