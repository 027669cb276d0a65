/** The sync pipeline's reads and writes: pending changes, broadcast progress, counters, lag. */
import { sql, type SQL } from "drizzle-orm";
import type { BeingId } from "../../../shared/entities.ts";
import type { Counters, SyncStats } from "../../../shared/responses.ts";
import type { Change } from "../../../shared/sync.ts";
import type { Budget } from "../../settings.ts";
import { query, type Db } from "../client.ts";
import { toChange, type ChangeRow } from "../rows.ts";
import { requireAccess, requireSuperuser } from "./access.ts";
import { RECEIVER_MINUTES, toReceiverMinute, type ReceiverMinuteRow } from "./health.ts";
import { RECENT_REVOCATIONS } from "./publishing.ts";
import { addTallies } from "./tallies.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** An unconfirmed change, and where its writer's relay stands (src/worker/sync/relay.ts). */
export interface PendingChange {
  change: Change;
  /** The writer confirmed it published the change into the room: the broadcast need not send it. */
  relayed: boolean;
  /** Seconds left of the grace in which its writer may still confirm (0: none left, or no relay). */
  heldSeconds: number;
}

/** What a broadcast turn of one space may do: its unconfirmed changes, whether anyone is listening, and the budget's answer. */
export interface BroadcastClaim {
  /** Unconfirmed changes, ascending, at most the page size. */
  changes: PendingChange[];
  lastSeq: number;
  /** The seq confirmed so far. */
  broadcastSeq: number;
  /** Someone is in the space's LiveKit room (per webhooks and reconciliation). */
  occupied: boolean;
  /** 0: a LiveKit call was taken from the budget for this turn (or none is due); else seconds to wait for one. */
  waitSeconds: number;
}

/**
 * Reads a space's unconfirmed changes and, when someone is in its room and one of them is due (neither
 * relayed nor waiting for its writer's relay), runs `takeCall`, the budget's statement that takes one
 * LiveKit call for it (src/worker/sync/budget.ts).
 */
export async function claimBroadcast(db: Db, space: BeingId, limit: number, takeCall: SQL): Promise<BroadcastClaim> {
  // A call is taken only when a change row is there to send (a rewind may point past pruned rows).
  const [row] = await query<{
    last_seq: string;
    broadcast_seq: string;
    occupied: boolean;
    changes: Array<ChangeRow & { relayed: boolean; held_seconds: number }>;
    wait: number;
  }>(
    db,
    sql`WITH s AS (SELECT * FROM space_sync WHERE space_id = ${space}),
        page AS (
          SELECT c.seq, c.at, c.kind, c.op, c.entity_id, change_data_in(c.data, c.kind, c.space_id) AS data, c.relayed,
                 CASE WHEN c.relayed THEN 0 ELSE greatest(0, coalesce(extract(epoch FROM c.relay_until - now()), 0)) END AS held_seconds
          FROM s JOIN changes c ON c.space_id = s.space_id AND c.seq > s.broadcast_seq ORDER BY c.seq LIMIT ${limit}
        )
        SELECT s.last_seq, s.broadcast_seq, s.occupied,
          (SELECT coalesce(jsonb_agg(p ORDER BY p.seq), '[]'::jsonb) FROM page p) AS changes,
          CASE WHEN s.occupied AND EXISTS (SELECT 1 FROM page WHERE NOT relayed AND held_seconds = 0)
            THEN ${takeCall} ELSE 0 END AS wait
        FROM s`,
  );
  return {
    changes: (row?.changes ?? []).map((c) => ({ change: toChange(c), relayed: c.relayed, heldSeconds: Number(c.held_seconds) })),
    lastSeq: Number(row?.last_seq ?? 0),
    broadcastSeq: Number(row?.broadcast_seq ?? 0),
    occupied: row?.occupied ?? false,
    waitSeconds: Number(row?.wait ?? 0),
  };
}

/**
 * Marks the viewer's own relayed changes in a space, through seq `to`, as published by it (any reader
 * of the space may confirm): their broadcast skips them. Only changes whose write the viewer made with
 * `Sync-Relay: 1` are marked, never another's; one already broadcast or pruned is simply not matched.
 */
export async function confirmRelayed(db: Db, viewer: ViewerRef, space: BeingId, to: number): Promise<void> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        target AS (SELECT s.id, may_read_space(s, v.id, v.su) AS visible FROM viewer v JOIN beings s ON s.id = ${space}),
        confirmed AS (
          UPDATE changes c SET relayed = true FROM viewer v, target t, space_sync s
          WHERE t.visible AND s.space_id = t.id AND c.space_id = t.id AND c.seq > s.broadcast_seq AND c.seq <= ${to}
            AND c.relay_by = v.id AND NOT c.relayed
        )
        SELECT v.id AS viewer_id, t.visible FROM viewer v LEFT JOIN target t ON true`,
  );
  requireAccess(row, "space");
}

/** Records that every change of the space up to `seq` was handed to LiveKit (never moves backwards). */
export async function confirmBroadcast(db: Db, space: BeingId, seq: number): Promise<void> {
  await query(
    db,
    sql`UPDATE space_sync SET broadcast_seq = greatest(broadcast_seq, ${seq}), broadcast_at = now() WHERE space_id = ${space}`,
  );
}

/**
 * Confirms a space's changes through `seq` without a broadcast, unless someone has arrived in its
 * room meanwhile (checked under the row lock that set_room_occupied also takes). Returns whether it did.
 */
export async function confirmEmptyRoom(db: Db, space: BeingId, seq: number): Promise<boolean> {
  const rows = await query(
    db,
    sql`UPDATE space_sync SET broadcast_seq = greatest(broadcast_seq, ${seq}), broadcast_at = now(),
          skipped_from = coalesce(skipped_from, broadcast_seq + 1)
        WHERE space_id = ${space} AND NOT occupied AND broadcast_seq < ${seq} RETURNING 1`,
  );
  return rows.length > 0;
}

/**
 * Spaces whose oldest unconfirmed change is older than the grace period (counted from the end of its
 * relay grace, if its writer relays it): their broadcast was lost.
 */
export async function lostBroadcasts(db: Db, graceSeconds: number, limit: number): Promise<BeingId[]> {
  const rows = await query<{ space_id: BeingId }>(
    db,
    sql`SELECT s.space_id FROM space_sync s
        CROSS JOIN LATERAL (SELECT greatest(c.at, c.relay_until) AS at FROM changes c WHERE c.space_id = s.space_id AND c.seq > s.broadcast_seq
                            ORDER BY c.seq LIMIT 1) AS first
        WHERE s.last_seq > s.broadcast_seq AND first.at < now() - make_interval(secs => ${graceSeconds})
        ORDER BY first.at LIMIT ${limit}`,
  );
  return rows.map((row) => row.space_id);
}

/** Adds to the pipeline's running totals and to the current minute's, in one statement. */
export async function addCounters(db: Db, increments: Counters): Promise<void> {
  const entries = Object.entries(increments).filter(([, value]) => value);
  if (entries.length === 0) return;
  const values = sql.join(entries.map(([name, value]) => sql`(${name}, ${value})`), sql`, `);
  await query(
    db,
    sql`WITH totals AS (
          INSERT INTO sync_counters (name, value) VALUES ${values}
          ON CONFLICT (name) DO UPDATE SET value = sync_counters.value + excluded.value
        )
        INSERT INTO sync_minutes AS m (minute, counters) VALUES (date_trunc('minute', now()), ${JSON.stringify(Object.fromEntries(entries))}::jsonb)
        ON CONFLICT (minute) DO UPDATE SET counters = ${addTallies(sql`m.counters`, sql`excluded.counters`)}`,
  );
}

/** How far back the superseded-version pass looks each run; the sweeper runs every minute. */
const SUPERSEDED_LOOKBACK = sql`interval '10 minutes'`;

/**
 * Prunes what no receiver can need, among changes already confirmed: those older than the retention
 * window (catch-up from before them becomes GONE: space_sync.pruned_seq), and earlier versions of a row
 * that a recent change to it supersedes (catch-up then carries only the latest, as a batch may).
 * Returns how many changes were deleted.
 */
export async function pruneChanges(db: Db, retentionSeconds: number): Promise<number> {
  const [row] = await query<{ deleted: number }>(
    db,
    sql`WITH cutoff AS (SELECT now() - make_interval(secs => ${retentionSeconds}) AS at),
        expired AS (
          DELETE FROM changes c USING space_sync s, cutoff
          WHERE c.space_id = s.space_id AND c.seq <= s.broadcast_seq AND c.at < cutoff.at
          RETURNING c.space_id, c.seq
        ),
        horizon AS (
          UPDATE space_sync s SET pruned_seq = greatest(s.pruned_seq, e.seq)
          FROM (SELECT space_id, max(seq) AS seq FROM expired GROUP BY space_id) e WHERE s.space_id = e.space_id
        ),
        latest AS (
          SELECT space_id, kind, entity_id, max(seq) AS seq FROM changes
          WHERE at > now() - ${SUPERSEDED_LOOKBACK} GROUP BY space_id, kind, entity_id
        ),
        superseded AS (
          DELETE FROM changes c USING latest l, space_sync s, cutoff
          WHERE c.space_id = l.space_id AND c.kind = l.kind AND c.entity_id = l.entity_id AND c.seq < l.seq
            AND s.space_id = c.space_id AND c.seq <= s.broadcast_seq AND c.at >= cutoff.at
          RETURNING 1
        )
        SELECT ((SELECT count(*) FROM expired) + (SELECT count(*) FROM superseded))::int AS deleted`,
  );
  return row?.deleted ?? 0;
}

/**
 * The pipeline's lag, one row: spaces with unconfirmed changes, how many changes in all and at most in one
 * space, and the age of the oldest (the first unconfirmed change of each space that still has its row).
 */
const PIPELINE_LAG = sql`SELECT count(*) AS spaces, coalesce(sum(s.last_seq - s.broadcast_seq), 0) AS changes,
    coalesce(max(s.last_seq - s.broadcast_seq), 0) AS max_changes, extract(epoch FROM now() - min(c.at))::float8 AS oldest_seconds
  FROM space_sync s LEFT JOIN changes c ON c.space_id = s.space_id AND c.seq = s.broadcast_seq + 1
  WHERE s.last_seq > s.broadcast_seq`;

/** Records this minute's gauges (pending changes, oldest pending age, occupied rooms) and forgets minutes older than a day. */
export async function sampleGauges(db: Db): Promise<void> {
  await query(
    db,
    sql`WITH forgotten AS (DELETE FROM sync_minutes WHERE minute < now() - interval '1 day'), lag AS (${PIPELINE_LAG})
        INSERT INTO sync_minutes AS m (minute, pending, oldest_pending_seconds, occupied_rooms)
        SELECT date_trunc('minute', now()), lag.changes, lag.oldest_seconds, (SELECT count(*) FROM space_sync WHERE occupied) FROM lag
        ON CONFLICT (minute) DO UPDATE SET pending = excluded.pending,
          oldest_pending_seconds = excluded.oldest_pending_seconds, occupied_rooms = excluded.occupied_rooms`,
  );
}

/** Counters, lag, budget use, occupancy, the log's size and the last hour by minute, the receivers' side too; for superusers only. */
export async function readSyncStats(db: Db, viewer: ViewerRef, budget: Budget): Promise<SyncStats> {
  const [row] = await query<{
    viewer_id: string | null;
    su: boolean;
    at: string;
    counters: Record<string, string> | null;
    lag: { spaces: number; changes: number; max_changes: number; oldest_seconds: number | null };
    occupied: number;
    calls_this_minute: number | null;
    blocked_until: string | null;
    log_changes: number;
    log_bytes: number;
    minutes: Array<{ minute: string; counters: Record<string, number>; pending: number | null; oldest_pending_seconds: number | null; occupied_rooms: number | null }> | null;
    receivers: ReceiverMinuteRow[] | null;
    revocations: Array<{ space: BeingId; identity: string; revokedAt: string; until: string; applied: boolean }> | null;
  }>(
    db,
    sql`WITH ${viewerCte(viewer)}, lag AS (${PIPELINE_LAG})
        SELECT (SELECT id FROM viewer) AS viewer_id, (SELECT su FROM viewer) AS su, now() AS at,
          (SELECT jsonb_object_agg(name, value) FROM sync_counters) AS counters,
          (SELECT to_jsonb(lag) FROM lag) AS lag,
          (SELECT count(*) FROM space_sync WHERE occupied)::int AS occupied,
          (SELECT (counters ->> 'calls')::float8 FROM sync_minutes WHERE minute = date_trunc('minute', now())) AS calls_this_minute,
          (SELECT blocked_until FROM livekit_budget WHERE project = ${budget.project} AND blocked_until > now()) AS blocked_until,
          (SELECT count(*) FROM changes)::int AS log_changes,
          pg_total_relation_size('changes')::float8 AS log_bytes,
          (SELECT jsonb_agg(jsonb_build_object('minute', minute, 'counters', counters, 'pending', pending,
                    'oldest_pending_seconds', oldest_pending_seconds, 'occupied_rooms', occupied_rooms) ORDER BY minute)
           FROM sync_minutes WHERE minute > now() - interval '1 hour') AS minutes,
          (${RECEIVER_MINUTES}) AS receivers,
          (${RECENT_REVOCATIONS}) AS revocations`,
  );
  requireSuperuser(row, "only a superuser may read the pipeline");
  // Only addCounters writes sync_counters, so every name is a CounterName.
  const counters: Counters = Object.fromEntries(Object.entries(row.counters ?? {}).map(([name, value]) => [name, Number(value)]));
  const minutes = (row.minutes ?? []).map((m) => ({
    minute: new Date(m.minute),
    counters: m.counters,
    pending: m.pending,
    oldestPendingSeconds: m.oldest_pending_seconds,
    occupiedRooms: m.occupied_rooms,
  }));
  return {
    at: new Date(row.at),
    counters,
    lag: {
      spaces: Number(row.lag.spaces),
      changes: Number(row.lag.changes),
      maxChanges: Number(row.lag.max_changes),
      oldestSeconds: row.lag.oldest_seconds ?? null,
    },
    budget: { callsPerMinute: budget.callsPerMinute, callsThisMinute: row.calls_this_minute ?? 0, blockedUntil: row.blocked_until ? new Date(row.blocked_until) : null },
    rooms: { occupied: row.occupied },
    log: { changes: row.log_changes, bytes: row.log_bytes },
    minutes,
    receivers: (row.receivers ?? []).map(toReceiverMinute),
    revocations: (row.revocations ?? []).map((r) => ({ ...r, revokedAt: new Date(r.revokedAt), until: new Date(r.until) })),
  };
}
