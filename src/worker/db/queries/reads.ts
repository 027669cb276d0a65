/**
 * One's read point and mute per space (space_reads): moving the read point forward, muting, and what the
 * space list and a space page show of them. A read point is a seq of the space's change log; a message is
 * unread when someone else wrote it after it (intentions.created_seq: an edit is not new) and it still exists.
 */
import { sql, type SQL } from "drizzle-orm";
import { ApiError } from "../../../shared/errors.ts";
import type { BeingId, IntentionId } from "../../../shared/entities.ts";
import { UNREAD_COUNT_CAP, type SpaceRead } from "../../../shared/responses.ts";
import { query, type Db } from "../client.ts";
import { requireAccess } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** SQL: the messages of space `space` by others than `reader` created after `readSeq`. */
const unreadIn = (space: SQL, reader: SQL, readSeq: SQL) =>
  sql`FROM intentions i WHERE i.location_id = ${space} AND i.created_seq > ${readSeq} AND i.owner_id <> ${reader}`;

/** SQL: the target space's facts for the viewer, as CTE `target(viewer_id, space_id, visible, last_seq)`. */
const target = (space: BeingId) =>
  sql`target AS (
    SELECT v.id AS viewer_id, s.id AS space_id, coalesce(may_read_space(s, v.id, v.su), false) AS visible,
      coalesce((SELECT last_seq FROM space_sync WHERE space_id = s.id), 0) AS last_seq
    FROM viewer v LEFT JOIN beings s ON s.id = ${space})`;

/** What a read reaches: a seq of the space's change log, or `through` a message of the space (its creation's seq). Exactly one. */
export interface ReadUpTo {
  seq?: number;
  through?: IntentionId;
}

/**
 * Moves the viewer's read point in `space` forward to `upTo` (never past the space's last change, never
 * backwards: a concurrent higher read wins whatever the order). Answers the read point after the call and
 * whether this call moved it. A message `through` that is not in the space (another space's, deleted, unknown)
 * is not found, alike, so nothing about another space is disclosed.
 */
export async function markRead(db: Db, viewer: ViewerRef, space: BeingId, upTo: ReadUpTo): Promise<{ reader: BeingId; readSeq: number; moved: boolean }> {
  const point =
    upTo.through === undefined
      ? sql`${upTo.seq}::bigint`
      : sql`(SELECT i.created_seq FROM intentions i WHERE i.id = ${upTo.through} AND i.location_id = t.space_id)`;
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null; moved_to: string | null; held: string | null; asked: string | null }>(
    db,
    sql`WITH ${viewerCte(viewer)}, ${target(space)},
        -- No row when the message is not in the space (least() would pass over a null).
        asked AS (SELECT least(p.point, t.last_seq) AS seq FROM target t, LATERAL (SELECT ${point} AS point) p WHERE p.point IS NOT NULL),
        moved AS (
          INSERT INTO space_reads AS r (being_id, space_id, read_seq)
          SELECT viewer_id, space_id, asked.seq FROM target, asked WHERE viewer_id IS NOT NULL AND visible
          -- Under a concurrent update of the row this condition is judged again on the newest version.
          ON CONFLICT (being_id, space_id) DO UPDATE SET read_seq = excluded.read_seq, modified_at = now()
            WHERE r.read_seq < excluded.read_seq
          RETURNING r.read_seq)
        SELECT t.viewer_id, t.visible, (SELECT read_seq FROM moved) AS moved_to, (SELECT seq FROM asked) AS asked,
          (SELECT r.read_seq FROM space_reads r WHERE r.being_id = t.viewer_id AND r.space_id = t.space_id) AS held
        FROM target t`,
  );
  requireAccess(row, "space");
  if (row.asked === null) throw new ApiError("NOT_FOUND", "message not found in this space");
  const reader = row.viewer_id as BeingId;
  if (row.moved_to !== null) return { reader, readSeq: Number(row.moved_to), moved: true };
  // Not moved: the row holds at least what was asked (a concurrent read may have gone further).
  return { reader, readSeq: Math.max(Number(row.held ?? 0), Number(row.asked)), moved: false };
}

/** Mutes or unmutes `space` for the viewer (returned). A first row starts its read point at the space's latest change. */
export async function setMuted(db: Db, viewer: ViewerRef, space: BeingId, muted: boolean): Promise<BeingId> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null }>(
    db,
    sql`WITH ${viewerCte(viewer)}, ${target(space)},
        written AS (
          INSERT INTO space_reads AS r (being_id, space_id, read_seq, muted)
          SELECT viewer_id, space_id, last_seq, ${muted} FROM target WHERE viewer_id IS NOT NULL AND visible
          ON CONFLICT (being_id, space_id) DO UPDATE SET muted = excluded.muted, modified_at = now())
        SELECT viewer_id, visible FROM target`,
  );
  requireAccess(row, "space");
  return row.viewer_id as BeingId;
}

/** The viewer's read point in `space`, the first message after it (where "New" goes), and its mute. */
export async function getSpaceRead(db: Db, viewer: ViewerRef, space: BeingId): Promise<SpaceRead> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null; read_seq: string | null; muted: boolean | null; first_unread: IntentionId | null }>(
    db,
    sql`WITH ${viewerCte(viewer)}, ${target(space)}
        SELECT t.viewer_id, t.visible, r.read_seq, r.muted,
          (SELECT i.id ${unreadIn(sql`t.space_id`, sql`t.viewer_id`, sql`r.read_seq`)} ORDER BY i.created_seq LIMIT 1) AS first_unread
        FROM target t LEFT JOIN space_reads r ON t.visible AND r.being_id = t.viewer_id AND r.space_id = t.space_id`,
  );
  requireAccess(row, "space");
  return { readSeq: row.read_seq === null ? null : Number(row.read_seq), firstUnread: row.first_unread, muted: row.muted ?? false };
}

/**
 * SQL: the viewer's UnreadCounts by space id (a JSON object) for the spaces of CTE `listed(space_id)`;
 * null when signed out. Unread counts only spaces one has a read point in (counts start when one first
 * reads a space); mentions count in every listed space, after the read point or from the start. Each count
 * stops at UNREAD_COUNT_CAP, so a space far behind costs no more than that many index entries.
 */
export const unreadCountsJson = sql`(
  WITH reads AS (
    SELECT l.space_id, r.read_seq, coalesce(r.muted, false) AS muted
    FROM viewer v CROSS JOIN listed l LEFT JOIN space_reads r ON r.being_id = v.id AND r.space_id = l.space_id
    WHERE v.id IS NOT NULL),
  -- Every message mentioning the viewer, found once through the GIN index (the viewer's id as a value, so the
  -- planner takes it), then matched to the listed spaces' read points.
  mentioning AS MATERIALIZED (
    SELECT i.location_id, i.created_seq FROM intentions i
    WHERE i.mentions @> ARRAY[(SELECT id FROM viewer)] AND i.owner_id <> (SELECT id FROM viewer)),
  mentioned AS MATERIALIZED (
    SELECT x.space_id, least(count(*), ${UNREAD_COUNT_CAP}) AS n
    FROM reads x JOIN mentioning i ON i.location_id = x.space_id AND i.created_seq > coalesce(x.read_seq, 0)
    GROUP BY 1)
  SELECT jsonb_object_agg(x.space_id, jsonb_build_object(
    'unread', CASE WHEN x.read_seq IS NULL THEN 0 ELSE (
      -- In the index's order, so the planner reads the index alone (author included) and stops at the cap.
      SELECT count(*) FROM (SELECT 1 ${unreadIn(sql`x.space_id`, sql`v.id`, sql`x.read_seq`)} ORDER BY i.created_seq LIMIT ${UNREAD_COUNT_CAP}) AS u) END,
    'mentions', coalesce(m.n, 0),
    'muted', x.muted))
  FROM viewer v CROSS JOIN reads x LEFT JOIN mentioned m ON m.space_id = x.space_id)`;
