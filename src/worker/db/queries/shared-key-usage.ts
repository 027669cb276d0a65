/** Tokens spent through the operator's default provider key: reserved before a reply streams, settled after. */
import { sql } from "drizzle-orm";
import type { BeingId } from "../../../shared/entities.ts";
import { query, queryOne, type Db } from "../client.ts";

/** A reservation made today (UTC, by the database's clock), to settle once the reply's cost is known. */
export interface Reservation {
  asker: BeingId;
  day: string;
  tokens: number;
}

/** Reserves `tokens` for `asker` (reserve_shared_tokens in the rulebook); otherwise says which daily limit is reached. */
export async function reserveSharedTokens(
  db: Db,
  asker: BeingId,
  tokens: number,
  limits: { perBeing: number; perProject: number },
): Promise<Reservation | { refused: "being" | "project" }> {
  const row = await queryOne<{ refused: "being" | "project" | null; day: string }>(
    db,
    sql`WITH today AS (SELECT (now() AT TIME ZONE 'UTC')::date AS day)
        SELECT reserve_shared_tokens(${asker}, today.day, ${tokens}, ${limits.perBeing}, ${limits.perProject}) AS refused, today.day::text AS day
        FROM today`,
  );
  return row.refused ? { refused: row.refused } : { asker, day: row.day, tokens };
}

/** Replaces a reservation by what the reply cost. */
export async function settleSharedTokens(db: Db, reservation: Reservation, spent: number): Promise<void> {
  await query(
    db,
    sql`UPDATE shared_key_usage SET tokens = greatest(0, tokens + ${Math.round(spent) - reservation.tokens})
        WHERE day = ${reservation.day}::date AND being_id = ${reservation.asker}`,
  );
}
