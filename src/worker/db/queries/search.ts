/** Finding things by what they say: beings by name (and, below, intentions by their text). */
import { sql } from "drizzle-orm";
import type { Being } from "../../../shared/entities.ts";
import { SEARCHABLE_BEING_TYPES, type BeingSearchQuery } from "../../../shared/schemas.ts";
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
