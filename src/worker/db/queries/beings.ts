/** Beings: read, create, change, delete, and entering a space. Each function is one statement. */
import { sql } from "drizzle-orm";
import type { Being, BeingId } from "../../../shared/entities.ts";
import { ApiError } from "../../../shared/errors.ts";
import type { BeingCreate, BeingPatch } from "../../../shared/schemas.ts";
import { query, type Db } from "../client.ts";
import { toBeing } from "../rows.ts";
import { requireAccess } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** A written being and the spaces whose change logs the write touched (to notify the sync queue). */
export interface BeingWrite {
  being: Being;
  touched: BeingId[];
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * Spaces a being's row appears in (as the change-log trigger decides): where it is, where it was,
 * and itself when it is a space; a private space appears only in itself.
 */
function spacesOf(being: Pick<Being, "id" | "type" | "locationId" | "properties">, previousLocation?: string | null): BeingId[] {
  if (being.type === "space" && being.properties.private === true) return [being.id];
  const spaces = [being.locationId, previousLocation, being.type === "space" ? being.id : null];
  return [...new Set(spaces.filter((s): s is BeingId => !!s))];
}

/** The viewer's own being. */
export async function getMe(db: Db, viewer: ViewerRef): Promise<Being> {
  const [row] = await query<{ being: unknown }>(
    db,
    sql`WITH ${viewerCte(viewer)} SELECT being_json(b) AS being FROM viewer v JOIN beings b ON b.id = v.id`,
  );
  if (!row) throw new ApiError("UNAUTHENTICATED", "sign in first");
  return toBeing(row.being);
}

/** A being the viewer may see. */
export async function getBeing(db: Db, viewer: ViewerRef, id: BeingId): Promise<Being> {
  const [row] = await query<{ being: unknown }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT being_json(b) AS being FROM viewer v JOIN beings b ON b.id = ${id} AND may_see_being(b, v.id, v.su)`,
  );
  if (!row) throw new ApiError("NOT_FOUND", "being not found");
  return toBeing(row.being);
}

/** SQL: whether the viewer may place a being at `location` (null: nowhere, always allowed). */
const mayPlaceAt = (location: string | null | undefined) =>
  sql`(${location ?? null}::text IS NULL OR coalesce(
        (SELECT may_read_space(s, v.id, v.su) FROM beings s WHERE s.id = ${location ?? null}), false))`;

/** Creates a being owned by the viewer. Setting properties.superuser takes a superuser. */
export async function createBeing(db: Db, viewer: ViewerRef, id: BeingId, input: BeingCreate): Promise<BeingWrite> {
  const properties = json(input.properties ?? {});
  const [row] = await query<{ viewer_id: string | null; su: boolean; location_ok: boolean; taken: boolean; being: unknown }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        facts AS (
          SELECT ${mayPlaceAt(input.locationId)} AS location_ok,
                 EXISTS (SELECT 1 FROM beings WHERE id = ${id}) AS taken
          FROM viewer v
        ),
        created AS (
          INSERT INTO beings (id, name, type, owner_id, location_id, properties, content)
          SELECT ${id}, ${input.name}, ${input.type}, v.id, ${input.locationId ?? null}, ${properties}::jsonb,
                 ${json(input.content ?? [])}::jsonb
          FROM viewer v, facts f
          WHERE v.id IS NOT NULL AND f.location_ok AND NOT f.taken
            AND (v.su OR ${properties}::jsonb -> 'superuser' IS NULL)
          RETURNING being_json(beings) AS being
        )
        SELECT v.id AS viewer_id, v.su, f.location_ok, f.taken, (SELECT being FROM created) AS being
        FROM viewer v, facts f`,
  );
  if (!row?.viewer_id) throw new ApiError("UNAUTHENTICATED", "sign in first");
  if (!row.location_ok) throw new ApiError("NOT_FOUND", "location not found");
  if (row.taken) throw new ApiError("CONFLICT", `the id ${id} is taken`);
  if (!row.being) throw new ApiError("FORBIDDEN", "only a superuser may set properties.superuser");
  const being = toBeing(row.being);
  return { being, touched: spacesOf(being) };
}

/** Changes a being: by its owner (or itself) or a superuser; ownerId and properties.superuser by a superuser only. */
export async function patchBeing(db: Db, viewer: ViewerRef, id: BeingId, patch: BeingPatch): Promise<BeingWrite> {
  const properties = json(patch.properties);
  const moves = patch.locationId !== undefined;
  const changesOwner = patch.ownerId !== undefined;
  const [row] = await query<{
    viewer_id: string | null;
    su: boolean;
    visible: boolean | null;
    allowed: boolean | null;
    location_ok: boolean;
    previous_location: string | null;
    being: unknown;
  }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        target AS (
          SELECT b.id, b.location_id, may_see_being(b, v.id, v.su) AS visible,
                 coalesce(b.id = v.id OR b.owner_id = v.id OR v.su, false) AS allowed
          FROM viewer v JOIN beings b ON b.id = ${id}
        ),
        facts AS (SELECT ${moves ? mayPlaceAt(patch.locationId) : sql`true`} AS location_ok FROM viewer v),
        updated AS (
          UPDATE beings b SET
            name = coalesce(${patch.name ?? null}, b.name),
            location_id = CASE WHEN ${moves} THEN ${patch.locationId ?? null} ELSE b.location_id END,
            properties = CASE
              WHEN ${properties}::jsonb IS NULL THEN b.properties
              WHEN v.su THEN ${properties}::jsonb
              ELSE ${properties}::jsonb || jsonb_strip_nulls(jsonb_build_object('superuser', b.properties -> 'superuser'))
            END,
            content = coalesce(${json(patch.content)}::jsonb, b.content),
            owner_id = CASE WHEN ${changesOwner} THEN ${patch.ownerId ?? null} ELSE b.owner_id END
          FROM viewer v, target t, facts f
          WHERE b.id = t.id AND t.visible AND t.allowed AND f.location_ok
            AND (v.su OR (NOT ${changesOwner} AND ${properties}::jsonb -> 'superuser' IS NULL))
          RETURNING being_json(b) AS being
        )
        SELECT v.id AS viewer_id, v.su, t.visible, t.allowed, f.location_ok, t.location_id AS previous_location,
               (SELECT being FROM updated) AS being
        FROM viewer v CROSS JOIN facts f LEFT JOIN target t ON true`,
  );
  requireAccess(row, "being", { signedIn: true });
  if (!row!.location_ok) throw new ApiError("NOT_FOUND", "location not found");
  if (!row!.being) throw new ApiError("FORBIDDEN", "only a superuser may set ownerId or properties.superuser");
  const being = toBeing(row!.being);
  return { being, touched: spacesOf(being, row!.previous_location) };
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
          SELECT b.id, b.type, b.location_id, may_see_being(b, v.id, v.su) AS visible,
                 coalesce(b.id = v.id OR b.owner_id = v.id OR v.su, false) AS allowed
          FROM viewer v JOIN beings b ON b.id = ${id}
        ),
        touched AS (
          SELECT array_agg(DISTINCT space) AS spaces FROM (
            SELECT location_id AS space FROM target
            UNION SELECT id FROM target WHERE type = 'space'
            UNION SELECT location_id FROM intentions WHERE owner_id = ${id}
            UNION SELECT location_id FROM beings WHERE owner_id = ${id} AND id <> ${id}
            UNION SELECT id FROM beings WHERE owner_id = ${id} AND id <> ${id} AND type = 'space'
          ) AS spaces WHERE space IS NOT NULL
        ),
        deleted AS (DELETE FROM beings b USING target t WHERE b.id = t.id AND t.visible AND t.allowed RETURNING b.id)
        SELECT v.id AS viewer_id, t.visible, t.allowed, (SELECT spaces FROM touched) AS touched
        FROM viewer v LEFT JOIN target t ON true`,
  );
  requireAccess(row, "being", { signedIn: true });
  return row!.touched ?? [];
}

/** Moves the viewer's being into a space it may read ("enter"); a no-op when it is already there. */
export async function enterSpace(db: Db, viewer: ViewerRef, space: BeingId): Promise<BeingWrite> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null; previous_location: string | null; moved: boolean; being: unknown }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        target AS (SELECT s.id, may_read_space(s, v.id, v.su) AS visible FROM viewer v JOIN beings s ON s.id = ${space}),
        moved AS (
          UPDATE beings b SET location_id = t.id FROM viewer v, target t
          WHERE b.id = v.id AND t.visible AND b.location_id IS DISTINCT FROM t.id
          RETURNING being_json(b) AS being
        )
        SELECT v.id AS viewer_id, t.visible, me.location_id AS previous_location,
               EXISTS (SELECT 1 FROM moved) AS moved,
               coalesce((SELECT being FROM moved), being_json(me)) AS being
        FROM viewer v LEFT JOIN target t ON true LEFT JOIN beings me ON me.id = v.id`,
  );
  requireAccess(row, "space", { signedIn: true });
  const being = toBeing(row!.being);
  return { being, touched: row!.moved ? spacesOf(being, row!.previous_location) : [] };
}
