/** Guest sign-in and sign-out. */
import { eq, sql } from "drizzle-orm";
import type { Being, BeingId } from "../../../shared/entities.ts";
import { query, type Db } from "../client.ts";
import { toBeing } from "../rows.ts";
import { sessions } from "../schema.ts";

export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Creates a guest being (its own owner, so it may edit itself) and a session for it, in one statement. */
export async function createGuest(db: Db, id: BeingId, name: string, sessionId: string): Promise<Being> {
  const [row] = await query<{ being: unknown }>(
    db,
    sql`WITH guest AS (
          INSERT INTO beings (id, name, type, owner_id) VALUES (${id}, ${name}, 'guest', ${id})
          RETURNING being_json(beings) AS being, id
        ), session AS (
          INSERT INTO sessions (id, being_id, expires_at)
          SELECT ${sessionId}, guest.id, now() + make_interval(secs => ${SESSION_TTL_SECONDS}) FROM guest
        )
        SELECT being FROM guest`,
  );
  return toBeing(row!.being);
}

/** Ends a session; its cookie is worthless afterwards. */
export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}
