/** Who may list models for a bot (and with which sealed key), and the lists kept for ten minutes. */
import { sql } from "drizzle-orm";
import type { BeingId } from "../../../shared/entities.ts";
import { query, queryOne, type Db } from "../client.ts";
import type { AccessFacts } from "./access.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** How long a fetched model list is served before the provider is asked again. */
export const MODEL_LIST_TTL_SECONDS = 600;

/** The viewer, whether it may see and change the bot (null facts without a bot), and the bot's sealed key. */
export async function modelListAccess(db: Db, viewer: ViewerRef, bot: BeingId | undefined): Promise<AccessFacts & { sealed: string | null }> {
  return queryOne(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id,
          b.id IS NOT NULL AND may_see_being(b, v.id, v.su) AS visible,
          may_change_being(b, v.id, v.su) AS allowed,
          (SELECT k.sealed FROM bot_secrets k WHERE k.being_id = b.id) AS sealed
        FROM viewer v LEFT JOIN beings b ON b.id = ${bot ?? null} AND b.type = 'bot'`,
  );
}

/** The list fetched with this base URL and key identity in the last MODEL_LIST_TTL_SECONDS, if any. */
export async function cachedModelList(db: Db, baseUrl: string, keyIdentity: string): Promise<string[] | undefined> {
  const [row] = await query<{ models: string[] }>(
    db,
    sql`SELECT models FROM bot_model_lists
        WHERE base_url = ${baseUrl} AND key_identity = ${keyIdentity} AND fetched_at > now() - make_interval(secs => ${MODEL_LIST_TTL_SECONDS})`,
  );
  return row?.models;
}

/** Keeps a fetched list, and drops lists an hour old (keys changed or bots gone leave theirs behind). */
export async function keepModelList(db: Db, baseUrl: string, keyIdentity: string, models: string[]): Promise<void> {
  await query(
    db,
    sql`WITH pruned AS (DELETE FROM bot_model_lists WHERE fetched_at < now() - interval '1 hour')
        INSERT INTO bot_model_lists (base_url, key_identity, models) VALUES (${baseUrl}, ${keyIdentity}, ${JSON.stringify(models)}::jsonb)
        ON CONFLICT (base_url, key_identity) DO UPDATE SET models = excluded.models, fetched_at = now()`,
  );
}
