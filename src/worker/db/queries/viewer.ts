/** Who is asking: resolved inside each statement, so a request needs no separate session lookup. */
import { sql, type SQL } from "drizzle-orm";

export interface ViewerRef {
  /** The verified session id from the cookie, or null for an anonymous request. */
  sessionId: string | null;
  /** Being ids that configuration makes superusers (SUPERUSER_IDS). */
  superuserIds: readonly string[];
}

/**
 * A CTE `viewer(id, su)` with exactly one row: the session's being and whether it is a superuser;
 * id is null when the session is absent, expired or signed out.
 */
export function viewerCte(viewer: ViewerRef): SQL {
  return sql`viewer AS (
    SELECT b.id AS id, is_superuser(b, ${JSON.stringify(viewer.superuserIds)}::jsonb) AS su
    FROM (SELECT 1) AS one
    LEFT JOIN sessions s ON s.id = ${viewer.sessionId} AND s.expires_at > now()
    LEFT JOIN beings b ON b.id = s.being_id
  )`;
}
