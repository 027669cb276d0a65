/** Room occupancy: who is in each space's LiveKit room, from webhooks and the sweeper's reconciliation. */
import { sql } from "drizzle-orm";
import { query, type Db } from "../client.ts";

/** Marks reconciled occupancy whose participants LiveKit did not name (ListRooms gives counts only). */
export const RECONCILED_IDENTITY = "*listed";

/**
 * Records a connection joining or leaving a space's room. Events may arrive late or out of order:
 * `at` is the connection's join time, so a leave (at >= the row's) wins over its own join, and only
 * a later join brings the identity back. Rooms that are not spaces (another app's) are ignored.
 */
export async function recordParticipant(
  db: Db,
  event: { space: string; identity: string; present: boolean; joinedAt: Date; seenAt: Date },
): Promise<void> {
  await query(
    db,
    sql`INSERT INTO room_participants AS p (space_id, identity, present, at, seen_at)
        SELECT ${event.space}, ${event.identity}, ${event.present}, ${event.joinedAt.toISOString()}::timestamptz,
               ${event.seenAt.toISOString()}::timestamptz
        WHERE EXISTS (SELECT 1 FROM beings WHERE id = ${event.space} AND type = 'space')
        ON CONFLICT (space_id, identity) DO UPDATE SET present = excluded.present, at = excluded.at, seen_at = excluded.seen_at
        WHERE excluded.at > p.at OR (excluded.at = p.at AND NOT excluded.present)`,
  );
}

/** The room closed: nobody who joined before `at` is in it any more. */
export async function finishRoom(db: Db, space: string, at: Date): Promise<void> {
  await query(
    db,
    sql`UPDATE room_participants SET present = false, at = ${at.toISOString()}::timestamptz, seen_at = ${at.toISOString()}::timestamptz
        WHERE space_id = ${space} AND present AND at <= ${at.toISOString()}::timestamptz`,
  );
}

/**
 * Aligns occupancy with LiveKit's own list of rooms (names and participant counts), in case webhooks
 * were missed: rooms it lists with people become occupied, and connections in rooms it does not are
 * marked gone. A join recorded after `listedAt` minus a margin is newer than the list and is kept.
 * Returns how many rooms changed each way.
 */
export async function reconcileRooms(
  db: Db,
  rooms: ReadonlyArray<{ name: string; participants: number }>,
  listedAt: Date,
): Promise<{ found: number; emptied: number }> {
  const [row] = await query<{ found: number; emptied: number }>(
    db,
    sql`WITH listed AS (
          SELECT r.name FROM jsonb_to_recordset(${JSON.stringify(rooms)}::jsonb) AS r(name text, participants int)
          WHERE r.participants > 0
        ),
        emptied AS (
          UPDATE room_participants p SET present = false, seen_at = ${listedAt.toISOString()}::timestamptz
          WHERE p.present AND p.space_id NOT IN (SELECT name FROM listed)
            AND p.at < ${listedAt.toISOString()}::timestamptz - interval '10 seconds'
          RETURNING p.space_id
        ),
        found AS (
          INSERT INTO room_participants (space_id, identity, present, at, seen_at)
          SELECT l.name, ${RECONCILED_IDENTITY}, true, ${listedAt.toISOString()}::timestamptz, ${listedAt.toISOString()}::timestamptz FROM listed l
          WHERE EXISTS (SELECT 1 FROM beings WHERE id = l.name AND type = 'space')
            AND NOT EXISTS (SELECT 1 FROM room_participants p WHERE p.space_id = l.name AND p.present)
          ON CONFLICT (space_id, identity) DO UPDATE SET present = true, at = excluded.at, seen_at = excluded.seen_at
          RETURNING space_id
        )
        SELECT (SELECT count(*) FROM found)::int AS found, (SELECT count(DISTINCT space_id) FROM emptied)::int AS emptied`,
  );
  return { found: row?.found ?? 0, emptied: row?.emptied ?? 0 };
}

/** Forgets connections that left more than a week ago (kept for late events and for last-seen times). */
export async function forgetDepartedParticipants(db: Db): Promise<void> {
  await query(db, sql`DELETE FROM room_participants WHERE NOT present AND seen_at < now() - interval '7 days'`);
}
