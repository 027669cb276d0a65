/** The sync pipeline's reads and writes: pending changes, broadcast progress, counters, lag. */
import { sql } from "drizzle-orm";
import type { BeingId } from "../../../shared/entities.ts";
import type { Change } from "../../../shared/sync.ts";
import { query, type Db } from "../client.ts";
import { toChange, type ChangeRow } from "../rows.ts";
import { requireAccess } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** Changes of a space not yet confirmed as broadcast, ascending, at most `limit`. */
export async function pendingChanges(db: Db, space: BeingId, limit: number): Promise<{ changes: Change[]; lastSeq: number }> {
  const [row] = await query<{ last_seq: string; changes: ChangeRow[] }>(
    db,
    sql`SELECT s.last_seq,
          (SELECT coalesce(jsonb_agg(c ORDER BY c.seq), '[]'::jsonb) FROM (
             SELECT seq, at, kind, op, entity_id, data FROM changes
             WHERE space_id = s.space_id AND seq > s.broadcast_seq ORDER BY seq LIMIT ${limit}) AS c) AS changes
        FROM space_sync s WHERE s.space_id = ${space}`,
  );
  return { changes: (row?.changes ?? []).map(toChange), lastSeq: Number(row?.last_seq ?? 0) };
}

/** Records that every change of the space up to `seq` was handed to LiveKit (never moves backwards). */
export async function confirmBroadcast(db: Db, space: BeingId, seq: number): Promise<void> {
  await query(
    db,
    sql`UPDATE space_sync SET broadcast_seq = greatest(broadcast_seq, ${seq}), broadcast_at = now() WHERE space_id = ${space}`,
  );
}

/** Spaces whose oldest unconfirmed change is older than the grace period: their broadcast was lost. */
export async function lostBroadcasts(db: Db, graceSeconds: number, limit: number): Promise<BeingId[]> {
  const rows = await query<{ space_id: BeingId }>(
    db,
    sql`SELECT s.space_id FROM space_sync s
        JOIN changes c ON c.space_id = s.space_id AND c.seq = s.broadcast_seq + 1
        WHERE s.last_seq > s.broadcast_seq AND c.at < now() - make_interval(secs => ${graceSeconds})
        ORDER BY c.at LIMIT ${limit}`,
  );
  return rows.map((row) => row.space_id);
}

export type CounterName = "batches" | "changes" | "bytes" | "failures" | "retries" | "sweeper_resends";

/** Adds to the pipeline's counters in one statement. */
export async function addCounters(db: Db, increments: Partial<Record<CounterName, number>>): Promise<void> {
  const entries = Object.entries(increments).filter(([, value]) => value);
  if (entries.length === 0) return;
  const values = sql.join(entries.map(([name, value]) => sql`(${name}, ${value})`), sql`, `);
  await query(
    db,
    sql`INSERT INTO sync_counters (name, value) VALUES ${values}
        ON CONFLICT (name) DO UPDATE SET value = sync_counters.value + excluded.value`,
  );
}

export interface SyncStats {
  counters: Record<string, number>;
  lag: { spaces: number; changes: number; maxChanges: number; oldestSeconds: number | null };
}

/** The counters and the current lag between committed and broadcast seqs; for superusers only. */
export async function readSyncStats(db: Db, viewer: ViewerRef): Promise<SyncStats> {
  const [row] = await query<{
    viewer_id: string | null;
    su: boolean;
    counters: Record<string, string> | null;
    spaces: string;
    changes: string;
    max_changes: string;
    oldest_seconds: number | null;
  }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT (SELECT id FROM viewer) AS viewer_id, (SELECT su FROM viewer) AS su,
          (SELECT jsonb_object_agg(name, value) FROM sync_counters) AS counters,
          count(*) AS spaces, coalesce(sum(s.last_seq - s.broadcast_seq), 0) AS changes,
          coalesce(max(s.last_seq - s.broadcast_seq), 0) AS max_changes,
          extract(epoch FROM now() - min(c.at))::float8 AS oldest_seconds
        FROM space_sync s JOIN changes c ON c.space_id = s.space_id AND c.seq = s.broadcast_seq + 1
        WHERE s.last_seq > s.broadcast_seq`,
  );
  requireAccess({ viewer_id: row?.viewer_id ?? null, visible: true, allowed: row?.su ?? false }, "pipeline", { signedIn: true });
  const counters = Object.fromEntries(Object.entries(row?.counters ?? {}).map(([name, value]) => [name, Number(value)]));
  return {
    counters,
    lag: {
      spaces: Number(row?.spaces ?? 0),
      changes: Number(row?.changes ?? 0),
      maxChanges: Number(row?.max_changes ?? 0),
      oldestSeconds: row?.oldest_seconds ?? null,
    },
  };
}
