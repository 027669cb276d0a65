/**
 * Who may publish data in a space's room. Every token grants it (a writer relays its own signed
 * changes) unless the being's publishing there was taken back: a receiver muted one of its
 * connections for forged or junk sync packets (src/web/sync/read-loop.ts), and reported it.
 */
import { sql } from "drizzle-orm";
import type { BeingId } from "../../../shared/entities.ts";
import type { Revocation } from "../../../shared/responses.ts";
import { ApiError } from "../../../shared/errors.ts";
import { query, type Db } from "../client.ts";
import { requireAccess } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** The viewer's being joining the space's room, and whether it may publish data there. */
export async function requireJoinGrant(db: Db, viewer: ViewerRef, space: BeingId): Promise<{ being: BeingId; publishData: boolean }> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null; revoked: boolean }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, may_read_space(s, v.id, v.su) AS visible,
               EXISTS (SELECT 1 FROM publish_revocations r WHERE r.space_id = ${space} AND r.being_id = v.id AND r.until > now()) AS revoked
        FROM viewer v LEFT JOIN beings s ON s.id = ${space}`,
  );
  requireAccess(row, "space");
  return { being: row.viewer_id as BeingId, publishData: !row.revoked };
}

/**
 * A reader of the space reports that it muted `identity`, a connection of `being` now in the room:
 * its being's publishing there is taken back for `seconds`. `fresh` says whether this report began
 * the revocation (then LiveKit is to be told); a report during one changes nothing.
 */
export async function revokePublishing(
  db: Db,
  viewer: ViewerRef,
  space: BeingId,
  muted: { identity: string; being: BeingId },
  seconds: number,
): Promise<Revocation & { fresh: boolean }> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null; present: boolean; identity: string | null; revoked_at: string | null; until: string | null; applied: boolean | null; fresh: boolean | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        facts AS (
          SELECT v.id AS viewer_id, may_read_space(s, v.id, v.su) AS visible,
                 EXISTS (SELECT 1 FROM room_participants p WHERE p.space_id = ${space} AND p.identity = ${muted.identity} AND p.present) AS present
          FROM viewer v LEFT JOIN beings s ON s.id = ${space}
        ),
        revoked AS (
          INSERT INTO publish_revocations AS r (space_id, being_id, identity, until)
          SELECT ${space}, ${muted.being}, ${muted.identity}, now() + make_interval(secs => ${seconds})
          FROM facts WHERE visible AND present
          ON CONFLICT (space_id, being_id) DO UPDATE
            SET identity = excluded.identity, revoked_at = now(), until = excluded.until, applied = false
            WHERE r.until <= now()
          RETURNING r.identity, r.revoked_at, r.until, r.applied
        )
        SELECT f.*, coalesce(n.identity, o.identity) AS identity, coalesce(n.revoked_at, o.revoked_at) AS revoked_at,
               coalesce(n.until, o.until) AS until, coalesce(n.applied, o.applied) AS applied, n.identity IS NOT NULL AS fresh
        FROM facts f
        LEFT JOIN revoked n ON true
        LEFT JOIN publish_revocations o ON o.space_id = ${space} AND o.being_id = ${muted.being} AND n.identity IS NULL`,
  );
  requireAccess(row, "space");
  if (!row.present && !row.fresh) throw new ApiError("NOT_FOUND", `no connection ${muted.identity} is in this space's room`);
  return {
    space,
    identity: row.identity!,
    revokedAt: new Date(row.revoked_at!),
    until: new Date(row.until!),
    applied: row.applied === true,
    fresh: row.fresh === true,
  };
}

/** LiveKit took the permission from the muted connection. */
export async function markRevocationApplied(db: Db, space: BeingId, identity: string): Promise<void> {
  await query(db, sql`UPDATE publish_revocations SET applied = true WHERE space_id = ${space} AND identity = ${identity}`);
}

/** Revocations that ended a day ago are forgotten (the sweeper). */
export async function forgetRevocations(db: Db): Promise<void> {
  await query(db, sql`DELETE FROM publish_revocations WHERE until < now() - interval '1 day'`);
}

/** The operator page's list: revocations in force or ended within the hour, newest first (a JSON array). */
export const RECENT_REVOCATIONS = sql`
  SELECT jsonb_agg(jsonb_build_object('space', space_id, 'identity', identity, 'revokedAt', revoked_at, 'until', until, 'applied', applied)
                   ORDER BY revoked_at DESC)
  FROM (SELECT * FROM publish_revocations WHERE until > now() - interval '1 hour' ORDER BY revoked_at DESC LIMIT 50) recent`;
