/** Intentions: create (idempotent by client id), change, delete. Each function is one statement. */
import { sql } from "drizzle-orm";
import type { AttachmentId } from "../../../shared/attachments.ts";
import type { BeingId, BotReplyTo, ContentNode, Intention, IntentionId, IntentionState } from "../../../shared/entities.ts";
import { ApiError } from "../../../shared/errors.ts";
import { isUniqueViolation, query, type Db } from "../client.ts";
import { toIntention } from "../rows.ts";
import { requireAccess } from "./access.ts";
import { isStale, matchesVersion, staleVersion } from "./versions.ts";
import { writeAppending, type SpaceChanges } from "./appended.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** A written intention and the seq of its change in its space's log. */
export interface IntentionWrite {
  intention: Intention;
  seq: number;
  /** False when the id already held this owner's intention: nothing was written. */
  created: boolean;
  /** The changes the write appended (none for a repeat). */
  appended: SpaceChanges[];
}

/** A bot located in a space, as a post there sees it (to decide whether it answers). */
export interface BotInSpace {
  id: BeingId;
  name: string;
  replyTo: BotReplyTo;
}

/** A created post and the bots that may answer it: none when its author is a bot (bots never answer bots). */
export interface PostWrite extends IntentionWrite {
  bots: BotInSpace[];
}

/**
 * Creates an utterance owned by the viewer in a space it may read, carrying `attachments` (in that order): each
 * must be the viewer's own stored, unattached upload in this space (is_own_upload), else nothing is written and
 * the answer is VALIDATION naming the others (`details.attachments`). A repeat of an id the viewer already used returns the existing row and writes
 * nothing; an id someone else used is a conflict.
 */
export async function createIntention(
  db: Db,
  viewer: ViewerRef,
  space: BeingId,
  id: IntentionId,
  content: ContentNode[],
  attachments: readonly AttachmentId[] = [],
  relay = false,
): Promise<PostWrite> {
  const insert = async (): Promise<PostWrite> => {
    const { rows: [row], appended } = await writeAppending<{
      viewer_id: string | null;
      visible: boolean | null;
      existing_owner: string | null;
      existing: unknown;
      existing_seq: string | null;
      created: unknown;
      created_seq: string | null;
      unusable: AttachmentId[] | null;
      bots: BotInSpace[] | null;
    }>(
      db,
      viewer,
      relay,
      sql`WITH ${viewerCte(viewer)},
          target AS (SELECT s.id, may_read_space(s, v.id, v.su) AS visible FROM viewer v JOIN beings s ON s.id = ${space}),
          existing AS (SELECT i.owner_id, intention_json(i) AS intention, i.seq FROM intentions i WHERE i.id = ${id}),
          named AS (SELECT a.id, a.ordinality FROM jsonb_array_elements_text(${JSON.stringify(attachments)}::jsonb) WITH ORDINALITY AS a(id, ordinality)),
          -- Locked: a second message naming the same upload waits, then finds it attached (no longer its to take).
          usable AS (
            SELECT a.id, attachment_json(a) AS json, n.ordinality FROM named n JOIN attachments a ON a.id = n.id, viewer v, target t
            WHERE is_own_upload(a, v.id) AND a.space_id = t.id FOR UPDATE OF a
          ),
          uploads AS (
            SELECT (SELECT jsonb_agg(json ORDER BY ordinality) FROM usable) AS list,
                   (SELECT jsonb_agg(n.id ORDER BY n.ordinality) FROM named n WHERE n.id NOT IN (SELECT id FROM usable)) AS unusable
          ),
          created AS (
            INSERT INTO intentions (id, owner_id, location_id, content, attachments)
            SELECT ${id}, v.id, t.id, ${JSON.stringify(content)}::jsonb, u.list FROM viewer v, target t, uploads u
            WHERE v.id IS NOT NULL AND t.visible AND u.unusable IS NULL AND NOT EXISTS (SELECT 1 FROM existing)
            RETURNING id, intention_json(intentions) AS intention, seq
          ),
          linked AS (UPDATE attachments a SET intention_id = c.id FROM created c, usable u WHERE a.id = u.id)
          SELECT v.id AS viewer_id, t.visible,
                 e.owner_id AS existing_owner, e.intention AS existing, e.seq AS existing_seq,
                 c.intention AS created, c.seq AS created_seq, (SELECT unusable FROM uploads) AS unusable,
                 (SELECT jsonb_agg(jsonb_build_object('id', b.id, 'name', b.name,
                           'replyTo', coalesce(b.properties -> 'bot' ->> 'replyTo', 'mentions')))
                  FROM beings b WHERE c.intention IS NOT NULL AND b.location_id = t.id AND b.type = 'bot'
                    AND NOT EXISTS (SELECT 1 FROM beings me WHERE me.id = v.id AND me.type = 'bot')) AS bots
          FROM viewer v LEFT JOIN target t ON true LEFT JOIN existing e ON true LEFT JOIN created c ON true`,
    );
    requireAccess(row, "space");
    if (row.created) return { intention: toIntention(row.created), seq: Number(row.created_seq), created: true, bots: row.bots ?? [], appended };
    if (row.existing_owner === row.viewer_id) {
      return { intention: toIntention(row.existing), seq: Number(row.existing_seq), created: false, bots: [], appended: [] };
    }
    if (!row.existing_owner && row.unusable) {
      // Named, so a page whose upload was swept (a day unsent) uploads it again rather than retrying forever.
      throw new ApiError("VALIDATION", "attachments: each must be your own upload to this space, not yet attached to a message", {
        attachments: row.unusable,
      });
    }
    throw new ApiError("CONFLICT", `the id ${id} is taken`);
  };
  try {
    return await insert();
  } catch (error) {
    // Two requests raced with one id: the loser's statement saw no existing row. Once more, it will.
    if (isUniqueViolation(error)) return await insert();
    throw error;
  }
}

/**
 * Changes an intention's content or state: by its owner or a superuser; a bot's reply still streaming
 * may also be cancelled by its asker, the bot's owner and the space's owner (may_change_intention in
 * db/rulebook.sql). A stop that comes after the reply ended is allowed but too late: CONFLICT, not FORBIDDEN.
 * With `ifVersion` other than the row's version nothing is written: CONFLICT too. Either CONFLICT carries
 * `details.current`, the row as it is, only once the caller is known to be allowed (versions are not disclosed).
 */
export async function patchIntention(
  db: Db,
  viewer: ViewerRef,
  id: IntentionId,
  patch: { content?: ContentNode[]; state?: IntentionState; ifVersion?: number },
  relay = false,
): Promise<IntentionWrite> {
  const { rows: [row], appended } = await writeAppending<{
    viewer_id: string | null;
    visible: boolean | null;
    allowed: boolean | null;
    current: unknown;
    intention: unknown;
    seq: string;
  }>(
    db,
    viewer,
    relay,
    sql`WITH ${viewerCte(viewer)},
        target AS (
          SELECT i.id, intention_json(i) AS current, may_read_space(s, v.id, v.su) AS visible,
                 may_change_intention(i, v.id, v.su, ${patch.state ?? null}, ${patch.content !== undefined}) AS allowed
          FROM viewer v JOIN intentions i ON i.id = ${id} JOIN beings s ON s.id = i.location_id
          -- Locked, so a write that commits meanwhile is waited for and \`current\` is the row it left.
          FOR UPDATE OF i
        ),
        updated AS (
          UPDATE intentions i SET
            content = coalesce(${patch.content === undefined ? null : JSON.stringify(patch.content)}::jsonb, i.content),
            state = coalesce(${patch.state ?? null}, i.state)
          FROM target t, viewer v WHERE i.id = t.id AND t.visible AND t.allowed
            -- On the row as it is when locked: a reply that ended (even meanwhile) is no longer stoppable,
            -- and a version bumped meanwhile no longer matches.
            AND change_comes_in_time(i, v.id, v.su)
            AND ${matchesVersion(sql`i`, patch.ifVersion)}
          RETURNING intention_json(i) AS intention, i.seq
        )
        SELECT v.id AS viewer_id, t.visible, t.allowed, t.current, u.intention, u.seq
        FROM viewer v LEFT JOIN target t ON true LEFT JOIN updated u ON true`,
  );
  requireAccess(row, "intention");
  if (!row.intention) {
    const current = toIntention(row.current);
    if (isStale(current, patch.ifVersion)) throw staleVersion("intention", current);
    throw new ApiError("CONFLICT", "the reply had already finished: there is nothing left to stop", { current });
  }
  return { intention: toIntention(row.intention), seq: Number(row.seq), created: false, appended };
}

/**
 * Deletes (removes) an intention: by its owner, the space's owner, the owner of the bot that wrote it, or
 * a superuser (may_remove_intention). Returns the space it was in, and whether it carried files (their rows
 * went with it; their bytes are garbage to collect).
 */
export async function deleteIntention(db: Db, viewer: ViewerRef, id: IntentionId): Promise<{ space: BeingId; hadFiles: boolean }> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null; allowed: boolean | null; space: BeingId; had_files: boolean }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        target AS (
          SELECT i.id, i.location_id, i.attachments IS NOT NULL AS had_files, may_read_space(s, v.id, v.su) AS visible,
                 may_remove_intention(i, v.id, v.su) AS allowed
          FROM viewer v JOIN intentions i ON i.id = ${id} JOIN beings s ON s.id = i.location_id
        ),
        deleted AS (DELETE FROM intentions i USING target t WHERE i.id = t.id AND t.visible AND t.allowed RETURNING i.id)
        SELECT v.id AS viewer_id, t.visible, t.allowed, t.location_id AS space, t.had_files
        FROM viewer v LEFT JOIN target t ON true`,
  );
  requireAccess(row, "intention");
  return { space: row.space, hadFiles: row.had_files };
}

/** One intention, for a viewer who may read its space (else NOT_FOUND, as for one that does not exist). */
export async function getIntention(db: Db, viewer: ViewerRef, id: IntentionId): Promise<Intention> {
  const [row] = await query<{ viewer_id: string | null; visible: boolean | null; intention: unknown }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, may_read_space(s, v.id, v.su) AS visible, intention_json(i) AS intention
        FROM viewer v LEFT JOIN intentions i ON i.id = ${id} LEFT JOIN beings s ON s.id = i.location_id`,
  );
  requireAccess(row, "intention");
  return toIntention(row.intention);
}
