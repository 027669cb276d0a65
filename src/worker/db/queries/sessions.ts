/** Sessions: guest sign-in, a new session for any sign-in, the device list, sign-out (here or remotely). */
import { eq, sql, type SQL } from "drizzle-orm";
import type { Being, BeingId } from "../../../shared/entities.ts";
import { ApiError } from "../../../shared/errors.ts";
import type { DeviceSession } from "../../../shared/responses.ts";
import { deviceLabel } from "../../../shared/device-label.ts";
import { query, queryOne, type Db } from "../client.ts";
import { toBeing } from "../rows.ts";
import { sessions } from "../schema.ts";
import { requireSignedIn } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;

/** A session about to be created: its secret id and the browser that asked for it. */
export interface NewSession {
  id: string;
  userAgent: string;
}

/**
 * SQL: the INSERT of a session for the being that `from` (a CTE or subquery with an `id` column) yields.
 * Every kind of sign-in creates its session through this, so all sessions are alike.
 */
export const insertSession = (session: NewSession, from: SQL) => sql`
  INSERT INTO sessions (id, being_id, expires_at, user_agent)
  SELECT ${session.id}, f.id, now() + make_interval(secs => ${SESSION_TTL_SECONDS}), ${session.userAgent} FROM ${from} f`;

/** Marks the session used now (at most once a minute: the device list's "last used" needs no finer). */
export const touchSession = (sessionId: string | null) =>
  sql`UPDATE sessions SET last_used_at = now() WHERE id = ${sessionId} AND last_used_at < now() - interval '1 minute'`;

/** Creates a guest being (its own owner, so it may edit itself) and a session for it, in one statement. */
export async function createGuest(db: Db, id: BeingId, name: string, session: NewSession): Promise<Being> {
  const row = await queryOne<{ being: unknown }>(
    db,
    sql`WITH guest AS (
          INSERT INTO beings (id, name, type, owner_id) VALUES (${id}, ${name}, 'guest', ${id})
          RETURNING being_json(beings) AS being, id
        ), session AS (${insertSession(session, sql`guest`)})
        SELECT being FROM guest`,
  );
  return toBeing(row.being);
}

/** Ends a session; its cookie is worthless afterwards. */
export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** The viewer's being's live sessions, most recently used first. */
export async function listSessions(db: Db, viewer: ViewerRef): Promise<DeviceSession[]> {
  const rows = await query<{ viewer_id: string | null; id: string | null; user_agent: string; created_at: string; last_used_at: string; current: boolean }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, s.public_id AS id, s.user_agent, s.created_at, s.last_used_at, s.id = ${viewer.sessionId} AS current
        FROM viewer v LEFT JOIN sessions s ON s.being_id = v.id AND s.expires_at > now()
        ORDER BY s.last_used_at DESC`,
  );
  requireSignedIn(rows[0]);
  return rows
    .filter((row) => row.id !== null)
    .map((row) => ({
      id: row.id!,
      label: deviceLabel(row.user_agent),
      createdAt: new Date(row.created_at),
      lastUsedAt: new Date(row.last_used_at),
      current: row.current,
    }));
}

/** Signs out one session of the viewer's being (by its public id); true when it was the viewer's own. */
export async function endSession(db: Db, viewer: ViewerRef, publicId: string): Promise<{ current: boolean }> {
  const [row] = await query<{ viewer_id: string | null; current: boolean | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        ended AS (
          DELETE FROM sessions s USING viewer v
          WHERE s.being_id = v.id AND s.public_id = ${publicId}::uuid
          RETURNING s.id = ${viewer.sessionId} AS current
        )
        SELECT v.id AS viewer_id, (SELECT current FROM ended) AS current FROM viewer v`,
  );
  requireSignedIn(row);
  if (row.current === null) throw new ApiError("NOT_FOUND", "no such session");
  return { current: row.current };
}
