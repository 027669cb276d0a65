/**
 * Reactions: a being adds or removes one emoji on a message it may read. Idempotent: a reaction already
 * there (or already gone) writes nothing and appends no change. The change a reaction records is the
 * message's (reactions_record_change() in db/rulebook.sql), so this answers as an edit does.
 */
import { sql } from "drizzle-orm";
import type { IntentionId } from "../../../shared/entities.ts";
import type { Change } from "../../../shared/sync.ts";
import type { Db } from "../client.ts";
import { toIntention } from "../rows.ts";
import { requireAccess } from "./access.ts";
import { writeAppending } from "./appended.ts";
import type { IntentionWrite } from "./intentions.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

type IntentionUpsert = Extract<Change, { kind: "intention"; op: "upsert" }>;

/** Adds (`on`) or removes the viewer's reaction `emoji` to a message in a space it may read; NOT_FOUND otherwise. */
export async function setReaction(db: Db, viewer: ViewerRef, id: IntentionId, emoji: string, on: boolean, relay = false): Promise<Omit<IntentionWrite, "created">> {
  const write = on
    ? sql`INSERT INTO reactions (intention_id, being_id, emoji) SELECT t.id, v.id, ${emoji} FROM target t, viewer v
          WHERE v.id IS NOT NULL AND t.visible ON CONFLICT DO NOTHING`
    : sql`DELETE FROM reactions r USING target t, viewer v WHERE t.visible AND r.intention_id = t.id AND r.being_id = v.id AND r.emoji = ${emoji}`;
  const { rows: [row], appended } = await writeAppending<{ viewer_id: string | null; visible: boolean | null; current: unknown; seq: string }>(
    db,
    viewer,
    relay,
    // `current` and `seq` are read in one snapshot, before the write: what a repeat answers.
    sql`WITH ${viewerCte(viewer)},
        target AS (
          SELECT i.id, intention_json(i) AS current, may_read_space(s, v.id, v.su) AS visible,
                 coalesce((SELECT last_seq FROM space_sync WHERE space_id = i.location_id), 0) AS seq
          FROM viewer v JOIN intentions i ON i.id = ${id} JOIN beings s ON s.id = i.location_id
        ),
        written AS (${write})
        SELECT v.id AS viewer_id, t.visible, t.current, t.seq FROM viewer v LEFT JOIN target t ON true`,
  );
  requireAccess(row, "intention");
  // The one change the reaction appended holds the message with it; a repeat appended none.
  const change = appended.flatMap((space) => space.changes).find((c): c is IntentionUpsert => c.kind === "intention" && c.op === "upsert");
  if (change) return { intention: change.data, seq: change.seq, appended };
  return { intention: toIntention(row.current), seq: Number(row.seq), appended };
}
