/**
 * Attachments' rows: reserving an upload within its quotas, marking it stored, its preview, who may read it, and
 * the R2 objects of deleted rows (attachment_garbage). The rules are the rulebook's (reserve_attachment,
 * reserve_preview, is_own_upload, may_read_attachment); the bytes are src/worker/files/'s.
 */
import { sql } from "drizzle-orm";
import type { Attachment, AttachmentId } from "../../../shared/attachments.ts";
import type { BeingId } from "../../../shared/entities.ts";
import type { Sniffed } from "../../../shared/sniff.ts";
import type { AttachmentSettings } from "../../settings.ts";
import { query, queryOne, type Db } from "../client.ts";
import { requireAccess } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** An upload about to be read: its id, its cleaned name, its declared size in bytes. */
export interface Reservation {
  id: AttachmentId;
  name: string;
  size: number;
}

/** Which quota refused a reservation: the uploader's day or the space's total. */
export type QuotaRefusal = "being" | "space";

/**
 * Writes an upload's row ('uploading') in a space the viewer may read, unless a quota refuses it (reserve_attachment
 * in db/rulebook.sql): returns null when reserved, else the refusing quota. `day` is today's UTC date, YYYY-MM-DD.
 */
export async function reserveUpload(
  db: Db,
  viewer: ViewerRef,
  space: BeingId,
  upload: Reservation,
  limits: AttachmentSettings,
  day: string,
): Promise<QuotaRefusal | null> {
  const row = await queryOne<{ viewer_id: string | null; visible: boolean | null; refusal: QuotaRefusal | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        target AS (SELECT s.id, may_read_space(s, v.id, v.su) AS visible FROM viewer v JOIN beings s ON s.id = ${space})
        SELECT v.id AS viewer_id, t.visible,
               CASE WHEN v.id IS NOT NULL AND t.visible
                 THEN reserve_attachment(${upload.id}, t.id, v.id, ${upload.name}, ${upload.size}, ${day}::date,
                                         ${limits.dailyBytesPerBeing}, ${limits.spaceBytes}) END AS refusal
        FROM viewer v LEFT JOIN target t ON true`,
  );
  requireAccess(row, "space");
  return row.refusal;
}

/** Marks a reserved upload stored: its type and size as read from its bytes. Returns it as the API shows it, or undefined when its row is gone. */
export async function markUploaded(db: Db, id: AttachmentId, sniffed: Sniffed, size: number): Promise<Attachment | undefined> {
  const [row] = await query<{ attachment: Attachment }>(
    db,
    sql`UPDATE attachments SET state = 'ready', type = ${sniffed.type}, size = ${size},
               width = ${sniffed.width ?? null}, height = ${sniffed.height ?? null}
        WHERE id = ${id} RETURNING attachment_json(attachments) AS attachment`,
  );
  return row?.attachment;
}

/** Deletes an upload that failed (its objects, if any, become garbage). */
export async function discardUpload(db: Db, id: AttachmentId): Promise<void> {
  await query(db, sql`DELETE FROM attachments WHERE id = ${id}`);
}

/** Which rule refused a preview: a quota, or (unfit) the upload is no image larger than the preview. */
export type PreviewRefusal = QuotaRefusal | "unfit";

/**
 * Reserves a preview of `size` bytes whose longest side is `side` pixels for the viewer's own unattached upload `id`
 * (reserve_preview in db/rulebook.sql; 401, 404 otherwise): returns null when reserved, else the refusing rule.
 */
export async function reservePreview(
  db: Db,
  viewer: ViewerRef,
  id: AttachmentId,
  preview: { size: number; side: number },
  limits: AttachmentSettings,
  day: string,
): Promise<PreviewRefusal | null> {
  const row = await queryOne<{ viewer_id: string | null; visible: boolean | null; refusal: PreviewRefusal | null }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, r.refusal IS DISTINCT FROM 'not_found' AS visible, nullif(r.refusal, 'not_found') AS refusal
        FROM viewer v LEFT JOIN LATERAL (
          SELECT reserve_preview(${id}, v.id, ${preview.size}, ${preview.side}, ${day}::date, ${limits.dailyBytesPerBeing}, ${limits.spaceBytes}) AS refusal
          WHERE v.id IS NOT NULL
        ) r ON true`,
  );
  requireAccess(row, "attachment");
  return row.refusal;
}

/** Forgets a preview whose bytes were not stored (its reservation no longer counts). */
export async function discardPreview(db: Db, id: AttachmentId): Promise<void> {
  await query(db, sql`UPDATE attachments SET preview_size = NULL WHERE id = ${id} AND preview_width IS NULL`);
}

/** Records an upload's preview (its type and pixel size), while it is still the viewer's own and unattached (else 404). */
export async function setPreview(db: Db, viewer: ViewerRef, id: AttachmentId, preview: Required<Sniffed>): Promise<Attachment> {
  const row = await queryOne<{ viewer_id: string | null; visible: boolean | null; attachment: Attachment | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        updated AS (
          UPDATE attachments a SET preview_type = ${preview.type}, preview_width = ${preview.width}, preview_height = ${preview.height}
          FROM viewer v WHERE a.id = ${id} AND is_own_upload(a, v.id)
          RETURNING attachment_json(a) AS attachment
        )
        SELECT v.id AS viewer_id, u.attachment IS NOT NULL AS visible, u.attachment FROM viewer v LEFT JOIN updated u ON true`,
  );
  requireAccess(row, "attachment");
  return row.attachment!;
}

/** A stored file as the serving route needs it: the attachment, and its preview's type when it has one. */
export interface ReadableFile {
  attachment: Attachment;
  previewType: string | null;
}

/** An attachment the viewer may read (may_read_attachment), else NOT_FOUND as for an unknown id. */
export async function getReadableAttachment(db: Db, viewer: ViewerRef, id: AttachmentId): Promise<ReadableFile> {
  const row = await queryOne<{ viewer_id: string | null; visible: boolean | null; attachment: Attachment; preview_type: string | null }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, may_read_attachment(a, v.id, v.su) AS visible, attachment_json(a) AS attachment, a.preview_type
        FROM viewer v LEFT JOIN attachments a ON a.id = ${id}`,
  );
  requireAccess(row, "attachment");
  return { attachment: row.attachment, previewType: row.preview_type };
}

/** Deletes the uploads never attached that are older than `seconds` (their objects become garbage); returns how many. */
export async function deleteUnattached(db: Db, seconds: number): Promise<number> {
  const rows = await query(
    db,
    sql`DELETE FROM attachments WHERE intention_id IS NULL AND created_at < now() - make_interval(secs => ${seconds}) RETURNING id`,
  );
  return rows.length;
}

/** Up to `limit` attachments whose rows are gone and whose R2 objects may remain, oldest first. */
export async function listGarbage(db: Db, limit: number): Promise<AttachmentId[]> {
  const rows = await query<{ id: AttachmentId }>(
    db,
    sql`SELECT attachment_id AS id FROM attachment_garbage ORDER BY created_at, attachment_id LIMIT ${limit}`,
  );
  return rows.map((row) => row.id);
}

/** Forgets garbage whose R2 objects are deleted. */
export async function forgetGarbage(db: Db, ids: readonly AttachmentId[]): Promise<void> {
  await query(db, sql`DELETE FROM attachment_garbage WHERE attachment_id = ANY(${`{${ids.join(",")}}`}::text[])`);
}
