/** Reading a space: its snapshot, older history, and the change log for catch-up. */
import { sql } from "drizzle-orm";
import { LOBBY_ID, type Being, type BeingId, type IntentionId } from "../../../shared/entities.ts";
import { ApiError } from "../../../shared/errors.ts";
import type { ChangesPage, HistoryPage, Moderation, SpaceFacts, SpaceList, SpaceSnapshot, UnreadCounts } from "../../../shared/responses.ts";
import { query, type Db } from "../client.ts";
import { toBeing, toChange, toIntention, type ChangeRow } from "../rows.ts";
import { requireAccess } from "./access.ts";
import { unreadCountsJson } from "./reads.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

export const SNAPSHOT_INTENTIONS = 100;

/** SQL: the viewer's facts about space `s` (SpaceFacts), as columns `moderation` and `may_manage`. */
const spaceFacts = sql`removal_rights(s, v.id, v.su) AS moderation, may_change_being(s, v.id, v.su) AS may_manage`;

/** The facts' columns as a statement returns them. */
interface FactsRow {
  moderation: Moderation;
  may_manage: boolean;
}

const toFacts = (row: FactsRow): SpaceFacts => ({ moderation: row.moderation, mayManage: row.may_manage });

/** SQL: the newest `limit + 1` intentions of a space (before a cursor row), as a JSON array in ascending time. */
const newestIntentions = (space: ReturnType<typeof sql>, limit: number, before = sql`true`) =>
  sql`(SELECT coalesce(jsonb_agg(intention_json(x.i) ORDER BY (x.i).created_at, (x.i).id), '[]'::jsonb)
       FROM (SELECT i FROM intentions i WHERE i.location_id = ${space} AND ${before}
             ORDER BY i.created_at DESC, i.id DESC LIMIT ${limit + 1}) AS x)`;

/** Splits a `limit + 1` ascending page into the page and whether older rows exist. */
function page(rows: unknown[], limit: number): HistoryPage {
  const hasMore = rows.length > limit;
  return { intentions: (hasMore ? rows.slice(1) : rows).map(toIntention), hasMore };
}

/**
 * The space, the beings in it, its newest intentions and its latest seq, read in one statement so
 * that the seq matches the rows exactly: a receiver applies every change after it.
 */
export async function getSpaceSnapshot(db: Db, viewer: ViewerRef, id: BeingId, awayListedSeconds: number): Promise<SpaceSnapshot> {
  const [row] = await query<FactsRow & { space: unknown; beings: unknown[]; intentions: unknown[]; seq: string; last_seen: Record<BeingId, string> }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT being_json_in(s, s.id) AS space,
          (SELECT coalesce(jsonb_agg(being_json(b) ORDER BY b.type <> 'space', b.type <> 'bot', b.name, b.id), '[]'::jsonb)
           FROM beings b WHERE b.location_id = s.id AND may_see_being(b, v.id, v.su)) AS beings,
          ${newestIntentions(sql`s.id`, SNAPSHOT_INTENTIONS)} AS intentions,
          coalesce((SELECT last_seq FROM space_sync WHERE space_id = s.id), 0) AS seq,
          (SELECT coalesce(jsonb_object_agg(x.being, x.seen), '{}'::jsonb) FROM (
             SELECT split_part(p.identity, '#', 1) AS being, max(CASE WHEN p.present THEN now() ELSE p.seen_at END) AS seen
             FROM room_participants p WHERE p.space_id = s.id
               AND split_part(p.identity, '#', 1) IN (SELECT b.id FROM beings b WHERE b.location_id = s.id)
             GROUP BY 1) AS x) AS last_seen,
          ${spaceFacts}
        FROM viewer v JOIN beings s ON s.id = ${id} AND may_read_space(s, v.id, v.su)`,
  );
  if (!row) throw new ApiError("NOT_FOUND", "space not found");
  const lastSeen = Object.fromEntries(Object.entries(row.last_seen).map(([being, at]) => [being, new Date(at)]));
  return {
    space: toBeing(row.space),
    beings: row.beings.map(toBeing),
    ...page(row.intentions, SNAPSHOT_INTENTIONS),
    seq: Number(row.seq),
    presence: { lastSeen, awayListedSeconds },
    ...toFacts(row),
  };
}

/** Most spaces a listing returns: private ones first, then the lobby (always there, the way home), then by name. */
export const SPACE_LIST_LIMIT = 200;

/** Spaces the viewer may enter: first the private ones it owns or belongs to, then the lobby, then public ones, by name; and their unread counts. */
export async function listSpaces(db: Db, viewer: ViewerRef): Promise<SpaceList> {
  const [row] = await query<{ spaces: unknown[]; unread: Record<BeingId, UnreadCounts> | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        shown AS (
          SELECT s, is_private_space(s) AS private, s.id = ${LOBBY_ID} AS lobby
          FROM viewer v JOIN beings s ON s.type = 'space' AND may_read_space(s, v.id, v.su)
          ORDER BY 2 DESC, 3 DESC, s.name, s.id LIMIT ${SPACE_LIST_LIMIT}),
        listed AS (SELECT (x.s).id AS space_id FROM shown x)
        SELECT (SELECT coalesce(jsonb_agg(being_json_in(x.s, (x.s).id) ORDER BY x.private DESC, x.lobby DESC, (x.s).name, (x.s).id), '[]'::jsonb)
                FROM shown x) AS spaces,
          ${unreadCountsJson} AS unread`,
  );
  const spaces = (row?.spaces ?? []).map(toBeing);
  return row?.unread ? { spaces, unread: row.unread } : { spaces };
}

/** Older history: the `limit` intentions before the cursor intention, ascending. */
export async function listIntentions(
  db: Db,
  viewer: ViewerRef,
  space: BeingId,
  before: IntentionId | undefined,
  limit: number,
): Promise<HistoryPage> {
  const cursor = before
    ? sql`(i.created_at, i.id) < (SELECT c.created_at, c.id FROM intentions c WHERE c.id = ${before} AND c.location_id = s.id)`
    : sql`true`;
  const [row] = await query<{ cursor_ok: boolean; intentions: unknown[] }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT (${before ?? null}::text IS NULL OR EXISTS (
                  SELECT 1 FROM intentions c WHERE c.id = ${before ?? null} AND c.location_id = s.id)) AS cursor_ok,
               ${newestIntentions(sql`s.id`, limit, cursor)} AS intentions
        FROM viewer v JOIN beings s ON s.id = ${space} AND may_read_space(s, v.id, v.su)`,
  );
  if (!row) throw new ApiError("NOT_FOUND", "space not found");
  if (!row.cursor_ok) throw new ApiError("VALIDATION", `before: no intention ${before} in this space`);
  return page(row.intentions, limit);
}

/** Every change with seq > after, ascending: one range scan of the changes primary key. */
export async function listChanges(db: Db, viewer: ViewerRef, space: BeingId, after: number, limit: number): Promise<ChangesPage> {
  const [row] = await query<FactsRow & { seq: string; pruned: string; changes: ChangeRow[] }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT coalesce((SELECT last_seq FROM space_sync WHERE space_id = s.id), 0) AS seq,
          coalesce((SELECT pruned_seq FROM space_sync WHERE space_id = s.id), 0) AS pruned,
          (SELECT coalesce(jsonb_agg(c ORDER BY c.seq), '[]'::jsonb) FROM (
             SELECT seq, at, kind, op, entity_id, change_data_in(data, kind, space_id) AS data FROM changes
             WHERE space_id = s.id AND seq > ${after} ORDER BY seq LIMIT ${limit + 1}) AS c) AS changes,
          ${spaceFacts}
        FROM viewer v JOIN beings s ON s.id = ${space} AND may_read_space(s, v.id, v.su)`,
  );
  if (!row) throw new ApiError("NOT_FOUND", "space not found");
  const seq = Number(row.seq);
  // A catch-up point past the log's end (the database was reset) or before what pruning kept cannot be served.
  if (after > seq || after < Number(row.pruned)) {
    throw new ApiError("GONE", `changes after ${after} are no longer available: reload the space`, { seq });
  }
  const hasMore = row.changes.length > limit;
  return { changes: row.changes.slice(0, limit).map(toChange), seq, hasMore, ...toFacts(row) };
}
