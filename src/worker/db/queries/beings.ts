/** Beings: read, create, change, delete, and entering a space. Each function is one statement. */
import { sql, type SQL } from "drizzle-orm";
import type { Being, BeingId } from "../../../shared/entities.ts";
import { ApiError } from "../../../shared/errors.ts";
import type { BeingRead, Me } from "../../../shared/responses.ts";
import type { BeingCreate, BeingPatch } from "../../../shared/schemas.ts";
import { query, type Db } from "../client.ts";
import { toBeing } from "../rows.ts";
import { requireAccess, requireSignedIn } from "./access.ts";
import { writeAppending, type SpaceChanges } from "./appended.ts";
import { touchSession } from "./sessions.ts";
import { matchesVersion, staleVersion } from "./versions.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** A written being, the spaces whose change logs the write touched (to notify the sync queue), and its changes there. */
export interface BeingWrite {
  being: Being;
  touched: BeingId[];
  appended: SpaceChanges[];
}

/** A write of a space that may have taken readers from it: the connections in its room that lost it (readers_lost). */
export interface SpaceWrite extends BeingWrite {
  ejected: string[];
}

/** What a statement changing an existing being returns, whatever else it decides. */
interface ChangedRow {
  viewer_id: string | null;
  visible: boolean | null;
  allowed: boolean | null;
  /** The row before the write (for a stale ifVersion's CONFLICT). */
  current: unknown;
  /** The row after the write; null when nothing was written. */
  being: unknown;
  touched: BeingId[] | null;
  ejected: string[] | null;
}

/** SQL: the identities in the room of the written being `after` whose being may no longer read it. */
const lostBy = (after: SQL, viewer: ViewerRef) =>
  sql`(SELECT coalesce(array_agg(r), '{}') FROM readers_lost(${after}, ${JSON.stringify(viewer.superuserIds)}::jsonb) AS r)`;

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * SQL: the spaces whose logs a being write touched, from the same rule the change-log trigger
 * applies (being_changes() in db/rulebook.sql), so the queue notices match the change rows exactly.
 */
const touchedBy = (after: SQL, before: SQL) => sql`(SELECT coalesce(array_agg(space), '{}') FROM being_changes(${after}, ${before}))`;

/**
 * The viewer's own being, and whether it is a superuser (the rule lives in viewerCte; the web app asks, never
 * recomputes). The app asks when it opens, which is what the device list shows as a session's last use.
 */
export async function getMe(db: Db, viewer: ViewerRef): Promise<Me> {
  const [row] = await query<{ viewer_id: string; being: unknown; su: boolean }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        used AS (${touchSession(viewer.sessionId)})
        SELECT v.id AS viewer_id, being_json_for(b, v.id, v.su) AS being, v.su FROM viewer v JOIN beings b ON b.id = v.id`,
  );
  requireSignedIn(row);
  return { being: toBeing(row.being), superuser: row.su };
}

/** A being the viewer may see, and whether it is a superuser (a profile card's badge). */
export async function getBeing(db: Db, viewer: ViewerRef, id: BeingId): Promise<BeingRead> {
  const [row] = await query<{ being: unknown; su: boolean }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT being_json_for(b, v.id, v.su) AS being, is_superuser(b, ${JSON.stringify(viewer.superuserIds)}::jsonb) AS su
        FROM viewer v JOIN beings b ON b.id = ${id} AND may_see_being(b, v.id, v.su)`,
  );
  if (!row) throw new ApiError("NOT_FOUND", "being not found");
  return { being: toBeing(row.being), superuser: row.su };
}

/** SQL: whether the viewer may place a being at `location` (null: nowhere, always allowed). */
const mayPlaceAt = (location: string | null | undefined) =>
  sql`(${location ?? null}::text IS NULL OR coalesce(
        (SELECT may_read_space(s, v.id, v.su) FROM beings s WHERE s.id = ${location ?? null}), false))`;

/**
 * A bot's sealed API key in a write: a new sealed key, null to remove it, undefined to leave it as it is.
 * Only the bot's owner may set it (checked in the statement).
 */
export type SealedKey = string | null | undefined;

/** SQL: the CTEs that store or remove a written bot's sealed key (`written` is the CTE returning its id). */
const keyWrites = (written: SQL, sealed: SealedKey) => sql`
        key_set AS (
          INSERT INTO bot_secrets (being_id, sealed) SELECT w.id, ${sealed ?? null} FROM ${written} w WHERE ${typeof sealed === "string"}
          ON CONFLICT (being_id) DO UPDATE SET sealed = excluded.sealed, modified_at = now()
        ),
        key_removed AS (DELETE FROM bot_secrets k USING ${written} w WHERE k.being_id = w.id AND ${sealed === null})`;

/**
 * Creates a being owned by the viewer. Setting properties.superuser takes a superuser. `relay`: the
 * viewer will publish the write's changes itself (db/queries/appended.ts).
 */
export async function createBeing(
  db: Db, viewer: ViewerRef, id: BeingId, input: Omit<BeingCreate, "secrets">, sealed?: SealedKey, relay = false,
): Promise<BeingWrite> {
  const properties = json(input.properties ?? {});
  const { rows: [row], appended } = await writeAppending<{ viewer_id: string | null; su: boolean; location_ok: boolean; taken: boolean; being: unknown; touched: BeingId[] }>(
    db,
    viewer,
    relay,
    sql`WITH ${viewerCte(viewer)},
        facts AS (
          SELECT ${mayPlaceAt(input.locationId)} AS location_ok,
                 EXISTS (SELECT 1 FROM beings WHERE id = ${id}) AS taken
          FROM viewer v
        ),
        created AS (
          INSERT INTO beings (id, name, type, owner_id, location_id, properties, content)
          SELECT ${id}, ${input.name}, ${input.type}, v.id, ${input.locationId ?? null},
                 bot_properties(${properties}::jsonb, ${typeof sealed === "string"}),
                 ${json(input.content ?? [])}::jsonb
          FROM viewer v, facts f
          WHERE v.id IS NOT NULL AND f.location_ok AND NOT f.taken
            AND may_set_privileged(v.su, ${properties}::jsonb, false)
          RETURNING id, being_json(beings) AS being, ${touchedBy(sql`beings`, sql`NULL::beings`)} AS touched
        ),
        ${keyWrites(sql`created`, sealed)}
        SELECT v.id AS viewer_id, v.su, f.location_ok, f.taken, c.being, c.touched
        FROM viewer v CROSS JOIN facts f LEFT JOIN created c ON true`,
  );
  requireSignedIn(row);
  if (!row.location_ok) throw new ApiError("NOT_FOUND", "location not found");
  if (row.taken) throw new ApiError("CONFLICT", `the id ${id} is taken`);
  if (!row.being) throw new ApiError("FORBIDDEN", "only a superuser may set properties.superuser");
  return { being: toBeing(row.being), touched: row.touched, appended };
}

/**
 * Changes a being: by its owner (or itself) or a superuser; ownerId and properties.superuser by a
 * superuser only; a bot's sealed key by its owner only. With `ifVersion` other than the row's version
 * nothing is written: CONFLICT with `details.current`, once every permission check has passed.
 * `ejected`: the connections that lost the space when the write removed readers of a private space.
 */
export async function patchBeing(
  db: Db, viewer: ViewerRef, id: BeingId, patch: Omit<BeingPatch, "secrets">, sealed?: SealedKey, relay = false,
): Promise<SpaceWrite> {
  const properties = json(patch.properties);
  const moves = patch.locationId !== undefined;
  const changesOwner = patch.ownerId !== undefined;
  const { rows: [row], appended } = await writeAppending<ChangedRow & {
    su: boolean;
    owns: boolean | null;
    is_bot: boolean | null;
    location_ok: boolean;
    privileged_ok: boolean;
  }>(
    db,
    viewer,
    relay,
    sql`WITH ${viewerCte(viewer)},
        target AS (
          SELECT b.id, b AS prior, being_json_for(b, v.id, v.su) AS current, may_see_being(b, v.id, v.su) AS visible,
                 may_change_being(b, v.id, v.su) AS allowed,
                 coalesce(b.owner_id = v.id, false) AS owns, b.type = 'bot' AS is_bot,
                 CASE WHEN ${sealed === undefined} THEN EXISTS (SELECT 1 FROM bot_secrets k WHERE k.being_id = b.id)
                      ELSE ${typeof sealed === "string"} END AS has_key
          FROM viewer v JOIN beings b ON b.id = ${id}
          -- Locked, so a write that commits meanwhile is waited for and \`current\` is the row it left.
          FOR UPDATE OF b
        ),
        facts AS (
          SELECT ${moves ? mayPlaceAt(patch.locationId) : sql`true`} AS location_ok,
                 may_set_privileged(v.su, ${properties}::jsonb, ${changesOwner}) AS privileged_ok
          FROM viewer v
        ),
        updated AS (
          UPDATE beings b SET
            name = coalesce(${patch.name ?? null}, b.name),
            location_id = CASE WHEN ${moves} THEN ${patch.locationId ?? null} ELSE b.location_id END,
            properties = bot_properties(CASE
              WHEN ${properties}::jsonb IS NULL THEN b.properties
              WHEN v.su THEN ${properties}::jsonb
              ELSE ${properties}::jsonb || jsonb_strip_nulls(jsonb_build_object('superuser', b.properties -> 'superuser'))
            END, t.has_key),
            content = coalesce(${json(patch.content)}::jsonb, b.content),
            owner_id = CASE WHEN ${changesOwner} THEN ${patch.ownerId ?? null} ELSE b.owner_id END
          FROM viewer v, target t, facts f
          WHERE b.id = t.id AND t.visible AND t.allowed AND f.location_ok AND f.privileged_ok
            AND (${sealed === undefined} OR (t.owns AND t.is_bot))
            AND ${matchesVersion(sql`b`, patch.ifVersion)}
          RETURNING b.id, being_json_for(b, v.id, v.su) AS being, ${touchedBy(sql`b`, sql`t.prior`)} AS touched, ${lostBy(sql`b`, viewer)} AS ejected
        ),
        ${keyWrites(sql`updated`, sealed)}
        SELECT v.id AS viewer_id, v.su, t.visible, t.allowed, t.owns, t.is_bot, f.location_ok, f.privileged_ok, t.current,
               u.being, u.touched, u.ejected
        FROM viewer v CROSS JOIN facts f LEFT JOIN target t ON true LEFT JOIN updated u ON true`,
  );
  requireAccess(row, "being");
  if (!row.location_ok) throw new ApiError("NOT_FOUND", "location not found");
  if (!row.being && sealed !== undefined && !row.is_bot) throw new ApiError("VALIDATION", "secrets: only a bot has an API key");
  if (!row.being && sealed !== undefined && !row.owns) throw new ApiError("FORBIDDEN", "only the bot's owner may set its API key");
  if (!row.privileged_ok) throw new ApiError("FORBIDDEN", "only a superuser may set ownerId or properties.superuser");
  // Every check passed and nothing was written: the row is at another version than ifVersion.
  if (!row.being) throw staleVersion("being", toBeing(row.current));
  return { being: toBeing(row.being), touched: row.touched ?? [], appended, ejected: row.ejected ?? [] };
}

/**
 * Hands a being (a bot, a space, anything but a person) over to another person: by its owner or a
 * superuser (may_hand_over), to a person the caller may see and who may see the being (may_receive). NOT_FOUND when
 * the new owner is not someone the caller may see; VALIDATION when they may not have it. A bot's sealed
 * API key is removed: the new owner sets their own.
 */
export async function handOver(
  db: Db, viewer: ViewerRef, id: BeingId, ownerId: BeingId, ifVersion: number | undefined, relay = false,
): Promise<SpaceWrite> {
  const configured = JSON.stringify(viewer.superuserIds);
  const { rows: [row], appended } = await writeAppending<ChangedRow & { owner_found: boolean | null; may_have: boolean | null }>(
    db,
    viewer,
    relay,
    sql`WITH ${viewerCte(viewer)},
        target AS (
          SELECT b.id, b AS prior, being_json_for(b, v.id, v.su) AS current, may_see_being(b, v.id, v.su) AS visible,
                 may_hand_over(b, v.id, v.su) AS allowed
          FROM viewer v JOIN beings b ON b.id = ${id}
          FOR UPDATE OF b
        ),
        heir AS (
          SELECT o.id, may_receive(t.prior, o, ${configured}::jsonb) AS may_have
          FROM viewer v, target t JOIN beings o ON o.id = ${ownerId} WHERE may_see_being(o, v.id, v.su)
        ),
        updated AS (
          UPDATE beings b SET owner_id = ${ownerId}, properties = bot_properties(b.properties, false)
          FROM viewer v, target t, heir h WHERE b.id = t.id AND t.visible AND t.allowed AND h.may_have
            AND ${matchesVersion(sql`b`, ifVersion)}
          RETURNING b.id, being_json_for(b, v.id, v.su) AS being, ${touchedBy(sql`b`, sql`t.prior`)} AS touched, ${lostBy(sql`b`, viewer)} AS ejected
        ),
        -- A bot's API key is its owner's money: it does not pass to the next owner.
        ${keyWrites(sql`updated`, null)}
        SELECT v.id AS viewer_id, t.visible, t.allowed, h.id IS NOT NULL AS owner_found, h.may_have, t.current,
               u.being, u.touched, u.ejected
        FROM viewer v LEFT JOIN target t ON true LEFT JOIN heir h ON true LEFT JOIN updated u ON true`,
  );
  requireAccess(row, "being");
  if (!row.owner_found) throw new ApiError("NOT_FOUND", "ownerId: no such person");
  if (!row.may_have) throw new ApiError("VALIDATION", "ownerId: only a person who may see it can own it");
  if (!row.being) throw staleVersion("being", toBeing(row.current));
  return { being: toBeing(row.being), touched: row.touched ?? [], appended, ejected: row.ejected ?? [] };
}

/**
 * Deletes a being. Its intentions go with it and beings it owned lose their owner; every space
 * those cascades touch is returned so the sync queue hears of them too.
 */
export async function deleteBeing(db: Db, viewer: ViewerRef, id: BeingId): Promise<BeingId[]> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null; allowed: boolean | null; touched: BeingId[] | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        target AS (
          SELECT b.id, b AS prior, may_see_being(b, v.id, v.su) AS visible,
                 may_change_being(b, v.id, v.su) AS allowed
          FROM viewer v JOIN beings b ON b.id = ${id}
        ),
        -- The being's own delete, its intentions' deletes, and the beings it owned losing their owner.
        touched AS (
          SELECT array_agg(DISTINCT space) AS spaces FROM (
            SELECT unnest(${touchedBy(sql`NULL::beings`, sql`t.prior`)}) AS space FROM target t
            UNION SELECT location_id FROM intentions WHERE owner_id = ${id}
            UNION SELECT unnest(${touchedBy(sql`o`, sql`o`)}) FROM beings o WHERE o.owner_id = ${id} AND o.id <> ${id}
          ) AS spaces
        ),
        deleted AS (DELETE FROM beings b USING target t WHERE b.id = t.id AND t.visible AND t.allowed RETURNING b.id)
        SELECT v.id AS viewer_id, t.visible, t.allowed, (SELECT spaces FROM touched) AS touched
        FROM viewer v LEFT JOIN target t ON true`,
  );
  requireAccess(row, "being");
  return row.touched ?? [];
}

/** Moves the viewer's being into a space it may read ("enter"); a no-op when it is already there. */
export async function enterSpace(db: Db, viewer: ViewerRef, space: BeingId, relay = false): Promise<BeingWrite> {
  const { rows: [row], appended } = await writeAppending<{ viewer_id: string | null; visible: boolean | null; touched: BeingId[] | null; being: unknown }>(
    db,
    viewer,
    relay,
    sql`WITH ${viewerCte(viewer)},
        target AS (SELECT s.id, may_read_space(s, v.id, v.su) AS visible FROM viewer v JOIN beings s ON s.id = ${space}),
        moved AS (
          UPDATE beings b SET location_id = t.id FROM viewer v, target t, beings prior
          WHERE b.id = v.id AND prior.id = b.id AND t.visible AND b.location_id IS DISTINCT FROM t.id
          RETURNING being_json(b) AS being, ${touchedBy(sql`b`, sql`prior`)} AS touched
        )
        SELECT v.id AS viewer_id, t.visible, (SELECT touched FROM moved) AS touched,
               coalesce((SELECT being FROM moved), being_json(me)) AS being
        FROM viewer v LEFT JOIN target t ON true LEFT JOIN beings me ON me.id = v.id`,
  );
  requireAccess(row, "space");
  return { being: toBeing(row.being), touched: row.touched ?? [], appended };
}
