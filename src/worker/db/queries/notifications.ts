/** The inbox: a being's notifications (written by the intentions_notify trigger), as far as it may still read them. */
import { sql, type SQL } from "drizzle-orm";
import type { BeingId, IntentionId, NotificationKind } from "../../../shared/entities.ts";
import { INBOX_UNREAD_CAP, NOTIFICATION_SNIPPET_LENGTH } from "../../../shared/limits.ts";
import type { InboxPage } from "../../../shared/responses.ts";
import type { NotificationsQuery } from "../../../shared/schemas.ts";
import { query, type Db } from "../client.ts";
import { requireSignedIn } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/**
 * SQL: the viewer's notifications `n` it may still see: in a space it may read now (a removed member sees
 * nothing of a private space, whatever was written while it was one). Needs the `viewer` CTE.
 */
const readable = (extra = sql`true`) => sql`
  SELECT n.* FROM viewer v JOIN notifications n ON n.being_id = v.id
  WHERE ${extra} AND (SELECT may_read_space(s, v.id, v.su) FROM beings s WHERE s.id = n.space_id)`;

/** SQL: the viewer's unread count, at most INBOX_UNREAD_CAP. Needs the `viewer` CTE. */
const unreadCount = sql`(SELECT count(*)::int FROM (${readable(sql`n.read_at IS NULL`)} LIMIT ${INBOX_UNREAD_CAP}) AS u)`;

/** SQL: the start of a message's text as a notification shows it: plain text, whitespace folded, NOTIFICATION_SNIPPET_LENGTH at most. */
export const snippetOf = (content: SQL) =>
  sql`left(btrim(regexp_replace(content_text(${content}), '[[:space:]]+', ' ', 'g')), ${NOTIFICATION_SNIPPET_LENGTH})`;

interface ItemRow {
  id: string;
  kind: NotificationKind;
  at: string;
  read: boolean;
  intention: IntentionId;
  space_id: BeingId;
  space_name: string;
  author_id: BeingId;
  author_name: string | null;
  snippet: string;
}

/** The viewer's notifications, newest first, the page before `before`, with its unread count. */
export async function listNotifications(db: Db, viewer: ViewerRef, { before, limit }: NotificationsQuery): Promise<InboxPage> {
  const [row] = await query<{ viewer_id: string | null; items: ItemRow[]; unread: number }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        page AS (${readable(before === undefined ? sql`true` : sql`n.id < ${Number(before)}`)} ORDER BY n.id DESC LIMIT ${limit + 1})
        SELECT v.id AS viewer_id, ${unreadCount} AS unread,
          (SELECT coalesce(jsonb_agg(jsonb_build_object(
              'id', p.id, 'kind', p.kind, 'at', p.created_at, 'read', p.read_at IS NOT NULL, 'intention', i.id,
              'space_id', s.id, 'space_name', s.name, 'author_id', i.owner_id,
              'author_name', (SELECT a.name FROM beings a WHERE a.id = i.owner_id AND may_see_being(a, v.id, v.su)),
              'snippet', ${snippetOf(sql`i.content`)})
            ORDER BY p.id DESC), '[]'::jsonb)
           FROM page p JOIN intentions i ON i.id = p.intention_id JOIN beings s ON s.id = p.space_id) AS items
        FROM viewer v`,
  );
  requireSignedIn(row);
  const items = row.items.slice(0, limit);
  return {
    notifications: items.map((item) => ({
      id: Number(item.id),
      kind: item.kind,
      at: new Date(item.at),
      read: item.read,
      intention: item.intention,
      space: { id: item.space_id, name: item.space_name },
      author: { id: item.author_id, name: item.author_name },
      snippet: item.snippet,
    })),
    unread: row.unread,
    next: row.items.length > limit ? Number(items.at(-1)!.id) : null,
  };
}

/** Marks the viewer's notifications `ids` (all of them when absent) read; returns its unread count after. */
export async function markNotificationsRead(db: Db, viewer: ViewerRef, ids: readonly number[] | undefined): Promise<number> {
  const chosen = ids === undefined ? sql`true` : sql`n.id = ANY(${`{${ids.join(",")}}`}::bigint[])`;
  const [row] = await query<{ viewer_id: string | null; unread: number }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        marked AS (
          UPDATE notifications n SET read_at = now() FROM viewer v
          WHERE n.being_id = v.id AND n.read_at IS NULL AND ${chosen} RETURNING n.id
        )
        SELECT v.id AS viewer_id,
          (SELECT count(*)::int FROM (${readable(sql`n.read_at IS NULL AND n.id NOT IN (SELECT id FROM marked)`)} LIMIT ${INBOX_UNREAD_CAP}) AS u) AS unread
        FROM viewer v`,
  );
  requireSignedIn(row);
  return row.unread;
}

/**
 * Takes the spaces' notifications no open page was told of yet; returns the beings they are for, each once with the
 * spaces they are in (the sync consumer sends each a personal notice, so its pages' inbox counts rise live).
 */
export async function takeUnnoticedNotifications(db: Db, spaces: readonly BeingId[]): Promise<{ being: BeingId; spaces: BeingId[] }[]> {
  return query<{ being: BeingId; spaces: BeingId[] }>(
    db,
    sql`WITH taken AS (
          UPDATE notifications n SET noticed_at = now()
          WHERE n.space_id = ANY(${`{${spaces.join(",")}}`}::text[]) AND n.noticed_at IS NULL
          RETURNING n.being_id, n.space_id
        )
        SELECT being_id AS being, array_agg(DISTINCT space_id) AS spaces FROM taken GROUP BY being_id`,
  );
}
