/**
 * A write's own changes, read back with it: the response carries them (signed) for the writer to relay.
 *
 * The changes are appended by triggers (db/rulebook.sql), and a data-modifying CTE's outer SELECT cannot
 * see rows that its own statement inserted. So the write and the read go as one Neon HTTP batch: one
 * round trip, one transaction, the second statement seeing the first's rows. Each change row records
 * its transaction (changes.tx, an index), so the read finds exactly this write's changes, none other's.
 */
import { sql, type SQL } from "drizzle-orm";
import type { BeingId } from "../../../shared/entities.ts";
import type { Change } from "../../../shared/sync.ts";
import { SYNC_RELAY_GRACE_SECONDS } from "../../settings.ts";
import type { Db } from "../client.ts";
import { toChange, type ChangeRow } from "../rows.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** The changes one write appended to one space's log, ascending. */
export interface SpaceChanges {
  space: BeingId;
  changes: Change[];
}

/**
 * The statement that reads this transaction's changes (none when it wrote nothing). With `relay` it
 * also marks them as the viewer's to publish: their broadcast waits for its confirmation until the grace ends.
 */
function appendedChanges(viewer: ViewerRef, relay: boolean): SQL {
  const mine = sql`tx = pg_current_xact_id_if_assigned()`;
  const rows = relay
    ? sql`WITH ${viewerCte(viewer)},
          rows AS (UPDATE changes SET relay_by = (SELECT id FROM viewer),
                     relay_until = now() + make_interval(secs => ${SYNC_RELAY_GRACE_SECONDS})
                   WHERE ${mine} RETURNING *)`
    : sql`WITH rows AS (SELECT * FROM changes WHERE ${mine})`;
  return sql`${rows}
    SELECT space_id, seq, at, kind, op, entity_id, change_data_in(data, kind, space_id) AS data FROM rows ORDER BY space_id, seq`;
}

/** Runs a write statement and returns its rows with the changes it appended, per space; one round trip. */
export async function writeAppending<Row>(db: Db, viewer: ViewerRef, relay: boolean, statement: SQL): Promise<{ rows: Row[]; appended: SpaceChanges[] }> {
  const [written, read] = await db.batch([db.execute(statement), db.execute(appendedChanges(viewer, relay))]);
  const appended = new Map<BeingId, Change[]>();
  for (const row of read.rows as unknown as Array<ChangeRow & { space_id: BeingId }>) {
    const changes = appended.get(row.space_id) ?? [];
    changes.push(toChange(row));
    appended.set(row.space_id, changes);
  }
  return { rows: written.rows as Row[], appended: [...appended].map(([space, changes]) => ({ space, changes })) };
}
