/** Bots' replies: start one (idempotent by its derived id), rewrite it while active, finish it. Each function is one statement. */
import { sql } from "drizzle-orm";
import type { Attachment } from "../../../shared/attachments.ts";
import type { BeingId, BotConfig, ContentNode, IntentionId, IntentionState } from "../../../shared/entities.ts";
import { query, queryOne, type Db } from "../client.ts";

/** How many messages of a space's history a turn reads (the token budget then trims them). */
export const HISTORY_MESSAGES = 50;

export interface ReplyStart {
  /** The bot, still a bot in the space (else null: the turn has nothing to do). */
  bot: { id: BeingId; name: string; config: Partial<BotConfig> } | null;
  sealedKey: string | null;
  /** The reply's state now: null when it does not exist (the concurrency limits held it back). */
  state: IntentionState | null;
  /** Whether this call created it (false for a retried or duplicate turn). */
  created: boolean;
  /** The space's history up to the post answered (inclusive), oldest first, without this reply. */
  history: HistoryRow[];
  /** The message the post replies to, when it has one in this space (a deleted one is gone). */
  original: HistoryRow | null;
}

/** One message as a turn reads it. */
export interface HistoryRow {
  id: IntentionId;
  ownerId: BeingId;
  ownerName: string;
  content: ContentNode[];
  /** The files it carries, when it has any. */
  attachments?: Attachment[];
}

/** SQL: message `h` (owner `o`) as a HistoryRow. */
const historyRow = sql`jsonb_build_object('id', h.id, 'ownerId', h.owner_id, 'ownerName', coalesce(o.name, h.owner_id), 'content', h.content)
  || jsonb_strip_nulls(jsonb_build_object('attachments', h.attachments))`;

/**
 * Creates the reply `active` with no text, unless it exists or the space or the bot already has its
 * limit of replies streaming; and reads what the turn needs, all in one statement. A retried turn
 * finds its reply and carries on with the same row (INSERT … ON CONFLICT DO NOTHING).
 */
export async function startReply(
  db: Db,
  turn: { space: BeingId; bot: BeingId; trigger: IntentionId; asker: BeingId },
  reply: IntentionId,
  limits: { perSpace: number; perBot: number },
): Promise<ReplyStart> {
  const row = await queryOne<{ bot: ReplyStart["bot"]; sealed: string | null; state: IntentionState | null; created: boolean; history: HistoryRow[] | null; original: HistoryRow | null }>(
    db,
    sql`WITH bot AS (
          SELECT b.id, b.name, coalesce(b.properties -> 'bot', '{}'::jsonb) AS config FROM beings b
          WHERE b.id = ${turn.bot} AND b.type = 'bot' AND b.location_id = ${turn.space}
            -- The conversation goes to the owner's provider account: only while the owner may read the space
            -- (a turn is not given SUPERUSER_IDS, so only properties.superuser makes the owner a superuser here).
            AND coalesce((SELECT may_read_space(s, o.id, is_superuser(o, '[]'::jsonb))
                          FROM beings s, beings o WHERE s.id = ${turn.space} AND o.id = b.owner_id), false)
        ),
        post AS (SELECT i.id, i.created_at, i.reply_to FROM intentions i WHERE i.id = ${turn.trigger} AND i.location_id = ${turn.space}),
        busy AS (
          SELECT count(*) FILTER (WHERE r.id <> ${reply}) AS in_space,
                 count(*) FILTER (WHERE r.id <> ${reply} AND r.owner_id = ${turn.bot}) AS by_bot
          FROM intentions r WHERE r.location_id = ${turn.space} AND r.state = 'active' AND r.asker_id IS NOT NULL
        ),
        created AS (
          INSERT INTO intentions (id, owner_id, location_id, content, state, asker_id)
          SELECT ${reply}, bot.id, ${turn.space}, '[]'::jsonb, 'active', (SELECT id FROM beings WHERE id = ${turn.asker})
          FROM bot, post, busy WHERE busy.in_space < ${limits.perSpace} AND busy.by_bot < ${limits.perBot}
          ON CONFLICT (id) DO NOTHING
          RETURNING state
        )
        SELECT (SELECT jsonb_build_object('id', id, 'name', name, 'config', config) FROM bot) AS bot,
          (SELECT sealed FROM bot_secrets WHERE being_id = ${turn.bot}) AS sealed,
          coalesce((SELECT state FROM created), (SELECT state FROM intentions WHERE id = ${reply})) AS state,
          EXISTS (SELECT 1 FROM created) AS created,
          (SELECT jsonb_agg(${historyRow} ORDER BY h.created_at, h.id)
           FROM (SELECT i.* FROM intentions i, post
                 WHERE i.location_id = ${turn.space} AND i.id <> ${reply} AND i.state IN ('complete', 'cancelled')
                   AND (i.created_at, i.id) <= (post.created_at, post.id)
                 ORDER BY i.created_at DESC, i.id DESC LIMIT ${HISTORY_MESSAGES}) AS h
           LEFT JOIN beings o ON o.id = h.owner_id) AS history,
          -- Only from this space, which the bot's owner may read (checked above): a reply never carries another space's text to a provider.
          (SELECT ${historyRow} FROM post JOIN intentions h ON h.id = post.reply_to AND h.location_id = ${turn.space}
             AND h.state IN ('complete', 'cancelled')
           LEFT JOIN beings o ON o.id = h.owner_id) AS original`,
  );
  return { bot: row.bot, sealedKey: row.sealed, state: row.state, created: row.created, history: row.history ?? [], original: row.original };
}

/**
 * Rewrites an active reply's content, and its state when `state` is given. Only while it is still
 * `active`: false means someone cancelled it (or deleted it) meanwhile, and the turn stops.
 */
export async function writeReply(db: Db, reply: IntentionId, content: ContentNode[], state?: IntentionState): Promise<boolean> {
  const rows = await query(
    db,
    sql`UPDATE intentions SET content = ${JSON.stringify(content)}::jsonb, state = coalesce(${state ?? null}, state)
        WHERE id = ${reply} AND state = 'active' RETURNING 1`,
  );
  return rows.length > 0;
}

/** Whether a reply is still active (checked between writes when no new text came, so a cancel is seen anyway). */
export async function replyIsActive(db: Db, reply: IntentionId): Promise<boolean> {
  return (await query(db, sql`SELECT 1 FROM intentions WHERE id = ${reply} AND state = 'active'`)).length > 0;
}

/** SQL: a reply ending `failed`, its text so far kept and `failure` (why) after it. */
const failing = (failure: ContentNode) => sql`state = 'failed', content = content || jsonb_build_array(${JSON.stringify(failure)}::jsonb)`;

/** Ends an active reply `failed`; false when it was not active (finished, cancelled or gone). */
export async function failReply(db: Db, reply: IntentionId, failure: ContentNode): Promise<boolean> {
  return (await query(db, sql`UPDATE intentions SET ${failing(failure)} WHERE id = ${reply} AND state = 'active' RETURNING 1`)).length > 0;
}

/**
 * Ends `failed` every bot reply left active with no write for `staleSeconds` (its turn died where it
 * could not say so), keeping its text. Returns the spaces touched, for the sync queue.
 */
export async function failStaleReplies(db: Db, staleSeconds: number, failure: ContentNode): Promise<BeingId[]> {
  const rows = await query<{ space: BeingId }>(
    db,
    sql`UPDATE intentions i SET ${failing(failure)}
        WHERE i.state = 'active' AND i.modified_at < now() - make_interval(secs => ${staleSeconds})
          AND EXISTS (SELECT 1 FROM beings b WHERE b.id = i.owner_id AND b.type = 'bot')
        RETURNING i.location_id AS space`,
  );
  return [...new Set(rows.map((row) => row.space))];
}
