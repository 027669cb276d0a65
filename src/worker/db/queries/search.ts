/** Finding things by what they say: beings by name (and, below, intentions by their text). */
import { sql } from "drizzle-orm";
import type { Being, BeingId, IntentionId } from "../../../shared/entities.ts";
import type { IntentionSearchPage, Snippet } from "../../../shared/responses.ts";
import { SEARCHABLE_BEING_TYPES, type BeingSearchQuery, type IntentionSearchQuery } from "../../../shared/schemas.ts";
import { query, type Db } from "../client.ts";
import { toBeing } from "../rows.ts";
import { requireSignedIn } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/**
 * Beings the viewer may see whose name contains `q` (any case): a name that is `q` first, then names that
 * begin with it, then the rest, each by name. Rendered by being_json_for, so a location the viewer may not
 * read is not named.
 */
export async function searchBeings(db: Db, viewer: ViewerRef, { q, type, limit }: BeingSearchQuery): Promise<Being[]> {
  const types = type ? [type] : [...SEARCHABLE_BEING_TYPES];
  const [row] = await query<{ viewer_id: string | null; beings: unknown[] }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        found AS (
          SELECT b, row_number() OVER (ORDER BY lower(b.name) = lower(${q}) DESC, position(lower(${q}) IN lower(b.name)) = 1 DESC,
                                                lower(b.name), b.id) AS rank
          FROM viewer v JOIN beings b ON b.type IN (SELECT jsonb_array_elements_text(${JSON.stringify(types)}::jsonb))
            AND position(lower(${q}) IN lower(b.name)) > 0
          WHERE v.id IS NOT NULL AND may_see_being(b, v.id, v.su)
          ORDER BY rank
          LIMIT ${limit}
        )
        SELECT v.id AS viewer_id,
          (SELECT coalesce(jsonb_agg(being_json_for(f.b, v.id, v.su) ORDER BY f.rank), '[]'::jsonb) FROM found f) AS beings
        FROM viewer v`,
  );
  requireSignedIn(row);
  return row.beings.map(toBeing);
}

// ts_headline marks the match with these private-use characters (taken out of the text first), which become
// the snippet's ranges: the client gets plain text and never markup to insert.
const MARK_START = "\uE000";
const MARK_END = "\uE001";
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, ShortWord=0, MaxFragments=2, FragmentDelimiter=" … "`;

/** Splits a headline with marks into plain text and the ranges the marks enclosed. */
function snippetOf(headline: string): Snippet {
  let text = "";
  const marks: Snippet["marks"] = [];
  let start = -1;
  for (const char of headline) {
    if (char === MARK_START) start = text.length;
    else if (char === MARK_END && start >= 0) {
      marks.push({ start, end: text.length });
      start = -1;
    } else if (char !== MARK_END) text += char;
  }
  return { text, marks };
}

/** A page's cursor (searchCursor in src/shared/schemas.ts): the last hit's rank, time and id. */
const cursorOf = (hit: HitRow) => `${hit.rank}~${new Date(hit.at).getTime()}~${hit.id}`;

/** SQL: the hits that sort after the cursor's (best rank first, then newest). */
function afterCursor(cursor: string) {
  const [rank, at, id] = cursor.split("~") as [string, string, string];
  return sql`(h.rank, h.created_at, h.id) < (${rank}::real, ${new Date(Number(at)).toISOString()}::timestamptz, ${id})`;
}

interface HitRow {
  id: IntentionId;
  space_id: BeingId;
  space_name: string;
  author_id: BeingId;
  author_name: string | null;
  at: string;
  rank: string;
  headline: string;
}

/**
 * Messages in the spaces the viewer may read whose text has the words of `q` (websearch_to_tsquery over
 * intentions.search, the 'simple' configuration it is generated with): best rank first, then newest, in pages
 * after `before`. Each hit with a snippet around the match.
 */
export async function searchIntentions(db: Db, viewer: ViewerRef, { q, before, limit }: IntentionSearchQuery): Promise<IntentionSearchPage> {
  const after = before ? afterCursor(before) : sql`true`;
  const [row] = await query<{ viewer_id: string | null; hits: HitRow[] }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        wanted AS (SELECT websearch_to_tsquery('simple', ${q}) AS query),
        readable AS (
          SELECT s.id, s.name FROM viewer v JOIN beings s ON s.type = 'space' AND may_read_space(s, v.id, v.su)
          WHERE v.id IS NOT NULL
        ),
        hits AS (
          SELECT i.id, i.location_id, i.owner_id, i.created_at, i.content, ts_rank(i.search, w.query) AS rank
          FROM wanted w JOIN intentions i ON i.search @@ w.query
          WHERE i.location_id IN (SELECT id FROM readable)
        ),
        page AS (
          SELECT h.* FROM hits h WHERE ${after}
          ORDER BY h.rank DESC, h.created_at DESC, h.id DESC
          LIMIT ${limit + 1}
        )
        SELECT v.id AS viewer_id,
          (SELECT coalesce(jsonb_agg(jsonb_build_object(
              'id', p.id, 'space_id', r.id, 'space_name', r.name, 'author_id', p.owner_id,
              'author_name', (SELECT a.name FROM beings a WHERE a.id = p.owner_id AND may_see_being(a, v.id, v.su)),
              'at', p.created_at, 'rank', p.rank::text,
              'headline', ts_headline('simple', translate(content_text(p.content), ${MARK_START + MARK_END}, ''), w.query, ${HEADLINE_OPTIONS}))
            ORDER BY p.rank DESC, p.created_at DESC, p.id DESC), '[]'::jsonb)
           FROM page p JOIN readable r ON r.id = p.location_id CROSS JOIN wanted w) AS hits
        FROM viewer v`,
  );
  requireSignedIn(row);
  const hits = row.hits.slice(0, limit);
  const last = hits.at(-1);
  return {
    hits: hits.map((hit) => ({
      id: hit.id,
      space: { id: hit.space_id, name: hit.space_name },
      author: { id: hit.author_id, name: hit.author_name },
      at: new Date(hit.at),
      snippet: snippetOf(hit.headline),
    })),
    next: row.hits.length > limit && last ? cursorOf(last) : null,
  };
}
