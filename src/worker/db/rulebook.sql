-- The rulebook: the current definition of every SQL function the app uses, each with what it decides.
-- The migrations in drizzle/ are history (they created these functions and then replaced some of them);
-- this file is what holds now. scripts/local/migrate.ts applies it after the migrations, every time:
-- each statement is CREATE OR REPLACE, so running it twice changes nothing. Triggers stay in the
-- migrations that created them; their functions live here. tests/worker/rulebook.db.test.ts checks that
-- the database holds exactly these definitions, no more and no fewer.
-- Arguments are spelled as PostgreSQL prints them (double precision, timestamp with time zone), so the
-- test can compare them. A changed argument list or return type needs a DROP FUNCTION IF EXISTS first.

-- Rows in their public JSON shape: the API's responses and the change log render them alike.
CREATE OR REPLACE FUNCTION being_json(b beings) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', b.id, 'name', b.name, 'type', b.type, 'ownerId', b.owner_id, 'locationId', b.location_id,
    'properties', b.properties, 'content', b.content, 'version', b.version, 'createdAt', b.created_at, 'modifiedAt', b.modified_at)
$$;

-- The reactions to an intention in its public JSON: per emoji, the beings who reacted with it, in the order
-- they did (emoji by their first reaction). Null when there are none, so an intention without any has no field.
CREATE OR REPLACE FUNCTION intention_reactions(intention text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_agg(jsonb_build_object('emoji', e.emoji, 'by', e.by) ORDER BY e.first, e.emoji)
  FROM (SELECT r.emoji, min(r.created_at) AS first, jsonb_agg(r.being_id ORDER BY r.created_at, r.being_id) AS by
        FROM reactions r WHERE r.intention_id = intention GROUP BY r.emoji) AS e
$$;

-- An intention in its public JSON shape; a bot's reply also names whose post it answers (askerId), and a message
-- with files carries them (attachments, as attachment_json rendered them when it was posted).
CREATE OR REPLACE FUNCTION intention_json(i intentions) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', i.id, 'name', i.name, 'type', i.type, 'state', i.state, 'ownerId', i.owner_id,
    'locationId', i.location_id, 'content', i.content, 'version', i.version, 'createdAt', i.created_at, 'modifiedAt', i.modified_at)
    || CASE WHEN i.asker_id IS NOT NULL THEN jsonb_build_object('askerId', i.asker_id) ELSE '{}'::jsonb END
    || jsonb_strip_nulls(jsonb_build_object('reactions', intention_reactions(i.id), 'attachments', i.attachments))
$$;

-- An attachment in its public JSON shape (src/shared/attachments.ts): an image's size and its preview's when known.
CREATE OR REPLACE FUNCTION attachment_json(a attachments) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('id', a.id, 'name', a.name, 'type', a.type, 'size', a.size)
    || jsonb_strip_nulls(jsonb_build_object('width', a.width, 'height', a.height))
    || CASE WHEN a.preview_width IS NOT NULL
         THEN jsonb_build_object('preview', jsonb_build_object('width', a.preview_width, 'height', a.preview_height))
         ELSE '{}'::jsonb END
$$;

-- properties.bot.hasKey is the server's word, never the caller's: every write of a bot's properties
-- passes through this, with whether its sealed key exists after the write.
CREATE OR REPLACE FUNCTION bot_properties(props jsonb, has_key boolean) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(props -> 'bot') = 'object'
    THEN jsonb_set(props, '{bot,hasKey}', to_jsonb(coalesce(has_key, false)))
    ELSE props END
$$;

-- Who may read, see and change what --------------------------------------------------------------

-- Whether a being is a superuser: its properties.superuser is true, or configuration names it
-- (`configured`: a JSON array of being ids, SUPERUSER_IDS). False for a missing row.
CREATE OR REPLACE FUNCTION is_superuser(b beings, configured jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(b.properties -> 'superuser' = 'true'::jsonb OR configured ? b.id, false)
$$;

-- Whether a being is a private space (properties.private is true): the one test of "private" that
-- every other rule (reading, disclosure, the change log, listings) asks. False for a missing row.
CREATE OR REPLACE FUNCTION is_private_space(b beings) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(b.type = 'space' AND b.properties -> 'private' = 'true'::jsonb, false)
$$;

-- A space is readable by anyone unless it is private; then by its owner, a superuser and the ids in
-- properties.members.
CREATE OR REPLACE FUNCTION may_read_space(space beings, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT space.type = 'space' AND coalesce(
    NOT is_private_space(space)
    OR caller_is_superuser
    OR space.owner_id = caller_id
    OR jsonb_typeof(space.properties -> 'members') = 'array'
       AND space.properties -> 'members' @> jsonb_build_array(caller_id),
    false)
$$;

-- Who may change or delete a being: the being itself, its owner and superusers.
CREATE OR REPLACE FUNCTION may_change_being(b beings, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(b.id = caller_id OR b.owner_id = caller_id OR caller_is_superuser, false)
$$;

-- A being is visible to whoever may change it, and to whoever may read where it is (a space also by
-- its own rule).
CREATE OR REPLACE FUNCTION may_see_being(b beings, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT may_change_being(b, caller_id, caller_is_superuser)
    OR ((b.type <> 'space' OR may_read_space(b, caller_id, caller_is_superuser))
        AND (b.location_id IS NULL OR coalesce(
          (SELECT may_read_space(l, caller_id, caller_is_superuser) FROM beings l WHERE l.id = b.location_id),
          false)))
$$;

-- Who may hand a being over to someone else (POST /api/beings/:id/owner): its owner or a superuser, for
-- anything but a person (a guest owns itself).
CREATE OR REPLACE FUNCTION may_hand_over(b beings, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce((b.owner_id = caller_id OR caller_is_superuser) AND b.type <> 'guest', false)
$$;

-- Who may be handed a being: a person (a guest) who may see it (`configured`: SUPERUSER_IDS).
CREATE OR REPLACE FUNCTION may_receive(b beings, new_owner beings, configured jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(new_owner.type = 'guest' AND may_see_being(b, new_owner.id, is_superuser(new_owner, configured)), false)
$$;

-- The connections in a space's room (room_participants, present) whose being may no longer read it as it
-- is now (`space`, the row after a write): a removed member, a reader of a space that turned private, a
-- former owner (none while it is public). Each is removed from the room, or it would go on receiving the
-- room's broadcasts.
CREATE OR REPLACE FUNCTION readers_lost(space beings, configured jsonb) RETURNS SETOF text LANGUAGE sql STABLE AS $$
  SELECT p.identity FROM room_participants p LEFT JOIN beings b ON b.id = split_part(p.identity, '#', 1)
  WHERE space.type = 'space' AND p.space_id = space.id AND p.present
    AND NOT may_read_space(space, b.id, is_superuser(b, configured))
  ORDER BY p.identity
$$;

-- Whether a write of a being may carry what only a superuser may set: properties.superuser (in the
-- properties written, null when they are left as they are) and a new owner.
CREATE OR REPLACE FUNCTION may_set_privileged(caller_is_superuser boolean, properties jsonb, changes_owner boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT caller_is_superuser OR (NOT changes_owner AND properties -> 'superuser' IS NULL)
$$;

-- Who may change an intention, the one rule every edit applies: its owner and superusers;
-- and a bot's reply may be stopped (state -> cancelled, nothing else) by the author of the post it
-- answers, the bot's owner and the space's owner. `new_state` is null for a delete or an edit that keeps
-- the state; `edits_content` says whether the change touches the content. Whether a stop still comes in
-- time is change_comes_in_time's to say, so a stop that is too late answers 409, not 403.
CREATE OR REPLACE FUNCTION may_change_intention(i intentions, caller_id text, caller_is_superuser boolean, new_state text, edits_content boolean)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(i.owner_id = caller_id OR caller_is_superuser, false)
    OR coalesce(new_state = 'cancelled' AND NOT edits_content AND caller_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM beings bot WHERE bot.id = i.owner_id AND bot.type = 'bot')
      AND (caller_id = i.asker_id
        OR caller_id = (SELECT bot.owner_id FROM beings bot WHERE bot.id = i.owner_id)
        OR caller_id = (SELECT s.owner_id FROM beings s WHERE s.id = i.location_id)), false)
$$;

-- Moderation: whose messages (intentions) a caller may remove in `space`, as facts the space's snapshot
-- gives the page and may_remove_intention decides by, so what the page offers and what a delete may do
-- cannot differ. removeAny: the space's owner and superusers; removeOwnedBy: the caller itself and the
-- bots it owns (a bot's owner may remove its bot's replies). Nothing for an anonymous caller.
CREATE OR REPLACE FUNCTION removal_rights(space beings, caller_id text, caller_is_superuser boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'removeAny', caller_id IS NOT NULL AND coalesce(caller_is_superuser OR space.owner_id = caller_id, false),
    'removeOwnedBy', CASE WHEN caller_id IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(caller_id) || coalesce(
      (SELECT jsonb_agg(bot.id ORDER BY bot.id) FROM beings bot WHERE bot.owner_id = caller_id AND bot.type = 'bot' AND bot.id <> caller_id),
      '[]'::jsonb) END)
$$;

-- Who may remove (delete) an intention: whoever removal_rights in its space names for it.
CREATE OR REPLACE FUNCTION may_remove_intention(i intentions, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT (r -> 'removeAny')::boolean OR r -> 'removeOwnedBy' ? i.owner_id
                   FROM beings s, removal_rights(s, caller_id, caller_is_superuser) AS r WHERE s.id = i.location_id), false)
$$;

-- Whether a change that may_change_intention allows can still be made to the intention as it is now:
-- any change its owner or a superuser may make (any edit at all) always can; a stop by anyone else only
-- while the reply is still streaming (active). Asked on the locked row, so a reply that ended meanwhile
-- is not stopped.
CREATE OR REPLACE FUNCTION change_comes_in_time(i intentions, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT i.state = 'active' OR may_change_intention(i, caller_id, caller_is_superuser, NULL, true)
$$;

-- What the change log records and discloses ------------------------------------------------------

-- A row as the readers of `space` may see it: a being whose location is a private space other than
-- `space` carries locationId null (a change in S never names another private space to S's readers).
-- Change rows go through it again when read, so a space that turns private after a row named it is
-- not named by that row afterwards.
CREATE OR REPLACE FUNCTION change_data_in(data jsonb, kind text, space text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN kind = 'being' AND data ->> 'locationId' IS DISTINCT FROM space AND EXISTS (
      SELECT 1 FROM beings l WHERE l.id = data ->> 'locationId' AND is_private_space(l))
    THEN jsonb_set(data, '{locationId}', 'null'::jsonb)
    ELSE data
  END
$$;

-- A being rendered for the log, snapshot or listing of `space`.
CREATE OR REPLACE FUNCTION being_json_in(b beings, space text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT change_data_in(being_json(b), 'being', space)
$$;

-- Whether a being shows in the space it is in: everything does except a private space.
CREATE OR REPLACE FUNCTION shows_in_location(b beings) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT b.id IS NOT NULL AND b.location_id IS NOT NULL AND NOT is_private_space(b)
$$;

-- The changes one write of a being records, one per space in id order (the trigger locks the spaces'
-- seq rows in that order, so two opposite moves cannot deadlock); `data` is null for a delete.
-- `after` is null on delete, `before` null on insert. A being is recorded
--   in itself, when it is a space;
--   in the space it is in, unless it is a private space;
--   in the space it showed in before, when it moved away (the row with its new location) or stopped
--   showing there: deleted, or turned private (a delete: it is gone from there for every reader).
-- The change-log trigger and every statement that notifies the sync queue call it, so the change rows
-- and the queue notices cannot disagree.
CREATE OR REPLACE FUNCTION being_changes(after beings, before beings)
RETURNS TABLE (space text, data jsonb) LANGUAGE sql STABLE AS $$
  SELECT DISTINCT ON (e.space) e.space, CASE WHEN e.upsert THEN being_json_in(after, e.space) END
  FROM (VALUES
    (CASE WHEN coalesce(after.type, before.type) = 'space' THEN coalesce(after.id, before.id) END, after.id IS NOT NULL),
    (CASE WHEN shows_in_location(after) THEN after.location_id END, true),
    (CASE WHEN shows_in_location(before)
               AND NOT (shows_in_location(after) AND after.location_id = before.location_id)
          THEN before.location_id END, shows_in_location(after))
  ) AS e(space, upsert)
  WHERE e.space IS NOT NULL
  ORDER BY e.space, e.upsert DESC
$$;

-- Appends one change to a space's log. The upsert on space_sync takes a row lock that is held until
-- commit, so concurrent writers to one space commit in seq order and the log never shows a gap.
CREATE OR REPLACE FUNCTION record_change(space text, kind text, op text, entity text, data jsonb, at timestamp with time zone)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  next_seq bigint;
BEGIN
  INSERT INTO space_sync AS s (space_id, last_seq) VALUES (space, 1)
  ON CONFLICT (space_id) DO UPDATE SET last_seq = s.last_seq + 1
  RETURNING s.last_seq INTO next_seq;
  INSERT INTO changes (space_id, seq, at, kind, op, entity_id, data)
  VALUES (space, next_seq, at, kind, op, entity, data);
  RETURN next_seq;
END
$$;

-- The trigger on intentions (drizzle/0001): every write records its change in the intention's space.
-- A BEFORE trigger, so the row's own seq and version can be set; a statement that later fails (a unique
-- violation, a foreign key) rolls its changes back with it. Every update bumps the version, whatever the
-- statement set, so every path that writes (the API, a bot's reply, a cascade) counts alike for ifVersion.
-- created_seq is the seq of the insert and stays so (unread = created after one's read point: an edit is not new).
CREATE OR REPLACE FUNCTION intentions_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM record_change(OLD.location_id, 'intention', 'delete', OLD.id, NULL, now());
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.location_id <> OLD.location_id THEN
      RAISE EXCEPTION 'intentions do not move between spaces';
    END IF;
    NEW.modified_at := now();
    NEW.version := OLD.version + 1;
    NEW.created_seq := OLD.created_seq;
  END IF;
  NEW.seq := record_change(NEW.location_id, 'intention', 'upsert', NEW.id, intention_json(NEW), NEW.modified_at);
  IF TG_OP = 'INSERT' THEN
    NEW.created_seq := NEW.seq;
  END IF;
  RETURN NEW;
END
$$;

-- The trigger on reactions (drizzle/0021): each reaction added or removed records one change of its message,
-- the message as it now is (every reaction included), without writing the message's row: a reaction is not an
-- edit, so its version and modifiedAt stay (an editor's ifVersion does not conflict) and so does its seq (a
-- reaction does not make an old message new). The message's row is locked first (NO KEY UPDATE: the reaction's
-- own foreign key check holds a KEY SHARE lock on it), so reactions to one message at once record in turn, each
-- change after the reactions committed before it. A cascade from deleting the message records nothing: its
-- delete is the change.
CREATE OR REPLACE FUNCTION reactions_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  message intentions;
BEGIN
  SELECT * INTO message FROM intentions WHERE id = coalesce(NEW.intention_id, OLD.intention_id) FOR NO KEY UPDATE;
  IF FOUND THEN
    PERFORM record_change(message.location_id, 'intention', 'upsert', message.id, intention_json(message), now());
  END IF;
  RETURN NULL;
END
$$;

-- The trigger on beings (drizzle/0001): every write records the changes being_changes() names, and
-- every update bumps the version (as for intentions).
CREATE OR REPLACE FUNCTION beings_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry record;
  at timestamptz := now();
BEGIN
  IF TG_OP = 'UPDATE' THEN
    NEW.modified_at := now();
    NEW.version := OLD.version + 1;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    at := NEW.modified_at;
  END IF;
  FOR entry IN
    SELECT * FROM being_changes(CASE WHEN TG_OP <> 'DELETE' THEN NEW END, CASE WHEN TG_OP <> 'INSERT' THEN OLD END)
  LOOP
    PERFORM record_change(entry.space, 'being', CASE WHEN entry.data IS NULL THEN 'delete' ELSE 'upsert' END,
                          coalesce(NEW.id, OLD.id), entry.data, at);
  END LOOP;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;

-- Room occupancy and the LiveKit API budget: both take the space's space_sync row lock, so they hold
-- under concurrency ----------------------------------------------------------------------------------

-- Marks a space's room occupied or empty. When someone arrives in a room whose changes were confirmed
-- without a broadcast (it was empty), the tail of those changes is unconfirmed again, so the next
-- broadcast reaches the newcomer: a change committed between its snapshot and this moment is not lost.
-- The rewind goes back at most 50 changes: only the last few can be newer than a snapshot just taken,
-- and re-sending a long quiet history to everyone in the room would cost a large batch for nothing (a
-- receiver whose snapshot is older sees a gap before the first change it gets and fetches the rest by
-- catch-up). It never reaches below what pruning removed. The consumer confirms an empty room only
-- `WHERE NOT occupied`, under the same row lock, so the two cannot cross.
CREATE OR REPLACE FUNCTION set_room_occupied(space text, now_occupied boolean) RETURNS void LANGUAGE sql AS $$
  INSERT INTO space_sync AS s (space_id, occupied) VALUES (space, now_occupied)
  ON CONFLICT (space_id) DO UPDATE SET
    occupied = excluded.occupied,
    broadcast_seq = CASE WHEN excluded.occupied AND s.skipped_from IS NOT NULL
      THEN least(s.broadcast_seq, greatest(s.skipped_from - 1, s.last_seq - 50, s.pruned_seq, 0)) ELSE s.broadcast_seq END,
    skipped_from = CASE WHEN excluded.occupied THEN NULL ELSE s.skipped_from END
  WHERE s.occupied IS DISTINCT FROM excluded.occupied
$$;

-- The trigger on room_participants (drizzle/0007): a room is occupied while anyone in it is present.
CREATE OR REPLACE FUNCTION room_participants_occupancy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  space text := coalesce(NEW.space_id, OLD.space_id);
BEGIN
  PERFORM set_room_occupied(space, EXISTS (SELECT 1 FROM room_participants WHERE space_id = space AND present));
  RETURN NULL;
END
$$;

-- Takes one LiveKit API call for `for_space` from the budget of `for_project` (its API key): `per_minute` calls,
-- 0 for unlimited. Returns 0 when granted, else the seconds to wait. The bucket holds a tenth of the
-- budget and refills at nine tenths of it per minute, so no 60-second window can ever hold more than
-- `per_minute` calls. While the bucket is more than half full nobody waits (latency as without a
-- budget). Below that the budget is under pressure and each room takes at most one call per fair
-- share, occupied rooms ÷ refill rate, so a hot space cannot drain it and every room gets its turn.
-- A 429's Retry-After (blocked_until) holds every call, whatever the budget.
CREATE OR REPLACE FUNCTION take_livekit_call(for_project text, for_space text, per_minute double precision) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  budget livekit_budget;
  capacity float8 := per_minute / 10;
  rate float8 := per_minute * 0.9 / 60;
  t timestamptz;
  available float8;
  fair_share float8;
  last_call timestamptz;
BEGIN
  SELECT * INTO budget FROM livekit_budget b WHERE b.project = for_project FOR UPDATE;
  IF NOT FOUND THEN
    -- A project's first take: its bucket starts full (clamped to the capacity below).
    INSERT INTO livekit_budget (project, tokens) VALUES (for_project, 'Infinity') ON CONFLICT (project) DO NOTHING;
    SELECT * INTO budget FROM livekit_budget b WHERE b.project = for_project FOR UPDATE;
  END IF;
  -- Read after the lock: a caller that waited for it must not credit its wait to the bucket again.
  t := clock_timestamp();
  IF budget.blocked_until > t THEN
    RETURN extract(epoch FROM budget.blocked_until - t);
  END IF;
  IF per_minute <= 0 THEN
    RETURN 0;
  END IF;
  available := least(capacity, budget.tokens + rate * greatest(0, extract(epoch FROM t - budget.refilled_at)));
  UPDATE livekit_budget b SET tokens = available, refilled_at = t WHERE b.project = for_project;
  IF available < capacity / 2 THEN
    fair_share := greatest(1, (SELECT count(*) FROM space_sync WHERE occupied)) / rate;
    SELECT call_at INTO last_call FROM space_sync WHERE space_id = for_space;
    IF last_call > t - make_interval(secs => fair_share) THEN
      RETURN extract(epoch FROM last_call - t) + fair_share;
    END IF;
  END IF;
  IF available < 1 THEN
    RETURN (1 - available) / rate;
  END IF;
  UPDATE livekit_budget b SET tokens = available - 1 WHERE b.project = for_project;
  UPDATE space_sync SET call_at = t WHERE space_id = for_space;
  RETURN 0;
END
$$;

-- LiveKit answered 429: no call at all until its Retry-After has passed, and the bucket starts empty.
CREATE OR REPLACE FUNCTION block_livekit_calls(for_project text, seconds double precision) RETURNS void LANGUAGE sql AS $$
  INSERT INTO livekit_budget AS b (project, tokens, refilled_at, blocked_until)
  VALUES (for_project, 0, clock_timestamp() + make_interval(secs => seconds), clock_timestamp() + make_interval(secs => seconds))
  ON CONFLICT (project) DO UPDATE SET tokens = 0, refilled_at = excluded.refilled_at,
    blocked_until = greatest(b.blocked_until, excluded.blocked_until)
$$;

-- Accounts -----------------------------------------------------------------------------------------

-- The trigger on passkeys and identities (drizzle/0012): at least one way in must remain. Once a being
-- has a passkey or a provider identity, removing the last of them is refused (SQLSTATE SPW01), so the
-- person cannot lock themselves out when their sessions end. The being's row is locked first, so two
-- removals at once cannot each see the other's row still there. A cascade from deleting the being
-- itself passes: its row is already gone.
CREATE OR REPLACE FUNCTION keep_a_way_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM beings WHERE id = OLD.being_id FOR UPDATE;
  IF FOUND AND (SELECT count(*) FROM passkeys WHERE being_id = OLD.being_id)
             + (SELECT count(*) FROM identities WHERE being_id = OLD.being_id) <= 1 THEN
    RAISE EXCEPTION 'at least one way in must remain' USING ERRCODE = 'SPW01';
  END IF;
  RETURN OLD;
END $$;

-- Search -------------------------------------------------------------------------------------------

-- A being as `caller` may be shown it outside any one space (GET /api/beings/:id, /api/me, a being
-- write's answer, a search result): locationId null when it is a private space the caller may not read
-- (an owner removed from the space its bot is in), so no answer tells where a being is hidden.
CREATE OR REPLACE FUNCTION being_json_for(b beings, caller_id text, caller_is_superuser boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN EXISTS (
      SELECT 1 FROM beings l WHERE l.id = b.location_id AND NOT may_read_space(l, caller_id, caller_is_superuser))
    THEN jsonb_set(being_json(b), '{locationId}', 'null'::jsonb)
    ELSE being_json(b)
  END
$$;

-- The text of an intention's content for message search: its strings in order, a node by its children
-- (contentText() in src/shared/content.ts reads it alike, but joins with nothing: here a space keeps the
-- words of two nodes apart). IMMUTABLE, because intentions.search is generated from it.
CREATE OR REPLACE FUNCTION content_text(nodes jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN (
    SELECT coalesce(string_agg(CASE WHEN jsonb_typeof(n) = 'string' THEN n #>> '{}' ELSE content_text(n -> 'content') END, ' ' ORDER BY i), '')
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(nodes) = 'array' THEN nodes ELSE '[]'::jsonb END) WITH ORDINALITY AS e(n, i));
END
$$;

-- The beings a content mentions: the ids of its mention nodes at any depth, each once (mentionedIds() in
-- src/shared/content.ts reads it alike). IMMUTABLE, because intentions.mentions is generated from it.
CREATE OR REPLACE FUNCTION content_mentions(nodes jsonb) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN coalesce((
    SELECT array_agg(DISTINCT id) FROM (
      SELECT n -> 'props' ->> 'id' AS id FROM jsonb_array_elements(CASE WHEN jsonb_typeof(nodes) = 'array' THEN nodes ELSE '[]'::jsonb END) AS e(n)
      WHERE jsonb_typeof(n) = 'object' AND n ->> 'type' = 'mention' AND n -> 'props' ->> 'id' LIKE '@%'
      UNION
      SELECT unnest(content_mentions(n -> 'content')) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(nodes) = 'array' THEN nodes ELSE '[]'::jsonb END) AS e(n)
      WHERE jsonb_typeof(n) = 'object' AND n ? 'content') AS m), '{}');
END
$$;

-- The message a content replies to: its first top-level reply node's target (replyTarget() alike).
-- IMMUTABLE, because intentions.reply_to is generated from it.
CREATE OR REPLACE FUNCTION content_reply_to(nodes jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT n -> 'props' ->> 'to'
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(nodes) = 'array' THEN nodes ELSE '[]'::jsonb END) WITH ORDINALITY AS e(n, i)
  WHERE jsonb_typeof(n) = 'object' AND n ->> 'type' = 'reply' AND n -> 'props' ->> 'to' LIKE '/%'
  ORDER BY i LIMIT 1
$$;

-- Bots on the operator's default key --------------------------------------------------------------

-- Reserves `amount` tokens of the operator's default provider key for `asker` on `on_day`, unless the asker
-- has used `per_being` tokens that day or everyone together `per_project`. Returns null when reserved, else
-- which limit stopped it: 'being' or 'project'. Reservations take turns (a transaction-wide advisory lock),
-- and each statement here reads what every earlier one committed, so replies asked at once cannot all pass
-- one check: a day's total stays below its limit plus one reservation. Days a week old are pruned.
CREATE OR REPLACE FUNCTION reserve_shared_tokens(asker text, on_day date, amount bigint, per_being bigint, per_project bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  mine bigint;
  everyone bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('reserve_shared_tokens'));
  SELECT coalesce(sum(u.tokens), 0), coalesce(sum(u.tokens) FILTER (WHERE u.being_id = asker), 0) INTO everyone, mine
  FROM shared_key_usage u WHERE u.day = on_day;
  IF mine >= per_being THEN
    RETURN 'being';
  END IF;
  IF everyone >= per_project THEN
    RETURN 'project';
  END IF;
  INSERT INTO shared_key_usage AS u (day, being_id, tokens) VALUES (on_day, asker, amount)
  ON CONFLICT ON CONSTRAINT shared_key_usage_day_being_id_pk DO UPDATE SET tokens = u.tokens + excluded.tokens;
  DELETE FROM shared_key_usage u WHERE u.day < on_day - 7;
  RETURN NULL;
END
$$;
-- Notifications (issue 20) -------------------------------------------------------------------------

-- Whom a message notifies, and of what: the beings it mentions ('mention'), the author of the message it
-- replies to in the same space ('reply'; a reply node naming another space's message, which someone may know
-- the id of, notifies nobody), and whom a bot's reply answers ('bot_reply', asker_id). Only a finished message
-- (state complete) notifies, so a bot's reply does not at every word it streams; never its own author;
-- only a person who may read its space. Superusers count by their properties only: SUPERUSER_IDS is
-- configuration the database does not see.
CREATE OR REPLACE FUNCTION notification_recipients(i intentions) RETURNS TABLE (being_id text, kind text) LANGUAGE sql STABLE AS $$
  SELECT r.being_id, r.kind
  FROM (
    SELECT unnest(i.mentions) AS being_id, 'mention' AS kind
    UNION SELECT o.owner_id, 'reply' FROM intentions o WHERE o.id = i.reply_to AND o.location_id = i.location_id
    UNION SELECT i.asker_id, 'bot_reply' WHERE i.asker_id IS NOT NULL
  ) AS r
  JOIN beings b ON b.id = r.being_id AND b.type = 'guest'
  JOIN beings s ON s.id = i.location_id
  WHERE i.state = 'complete' AND r.being_id <> i.owner_id AND may_read_space(s, b.id, is_superuser(b, '[]'::jsonb))
$$;

-- The trigger on intentions (drizzle/0022): a write that makes a message notify someone writes the
-- notification with it, once per being, message and kind (an edit adding a mention notifies only the new one).
CREATE OR REPLACE FUNCTION intentions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO notifications (being_id, intention_id, space_id, kind)
  SELECT r.being_id, NEW.id, NEW.location_id, r.kind FROM notification_recipients(NEW) AS r
  ON CONFLICT ON CONSTRAINT notifications_once DO NOTHING;
  RETURN NULL;
END
$$;

-- Whether notification `n` is pushed to the device `p` (a subscription) now: a device of its being, whose session
-- is still valid, that wants its kind and does not have its space open and visible; the being has not read it in
-- the app, has not muted the space, and may still read it (`configured`: SUPERUSER_IDS). Asked as it is sent, not
-- when written, so a member removed from a private space meanwhile gets none of its text.
CREATE OR REPLACE FUNCTION may_push(n notifications, p push_subscriptions, configured jsonb) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p.being_id = n.being_id AND n.read_at IS NULL AND n.kind = ANY(p.kinds)
    AND NOT (p.visible_space_id IS NOT DISTINCT FROM n.space_id AND p.visible_until > now())
    AND EXISTS (SELECT 1 FROM sessions x WHERE x.id = p.session_id AND x.expires_at > now())
    AND NOT coalesce((SELECT r.muted FROM space_reads r WHERE r.being_id = n.being_id AND r.space_id = n.space_id), false)
    AND coalesce((SELECT may_read_space(s, b.id, is_superuser(b, configured)) FROM beings s, beings b WHERE s.id = n.space_id AND b.id = n.being_id), false)
$$;

-- Attachments (issue 21) ---------------------------------------------------------------------------

-- Whether an attachment is the caller's own upload, stored and not yet attached: only then may the caller give it
-- a preview or attach it to a message (in the upload's space).
CREATE OR REPLACE FUNCTION is_own_upload(a attachments, caller_id text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(a.state = 'ready' AND a.intention_id IS NULL AND a.owner_id = caller_id, false)
$$;

-- Who may read (download) an attachment: an upload not yet attached, its uploader alone; an attached one,
-- whoever may read its message's space. Nothing still uploading is read by anyone (is_own_upload; and only a
-- stored upload is ever attached).
CREATE OR REPLACE FUNCTION may_read_attachment(a attachments, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN a.intention_id IS NULL THEN is_own_upload(a, caller_id)
    ELSE coalesce((SELECT may_read_space(s, caller_id, caller_is_superuser)
      FROM intentions i JOIN beings s ON s.id = i.location_id WHERE i.id = a.intention_id), false) END
$$;

-- Counts `declared` bytes more in `owner`'s uploads on `on_day` and in `space`'s files, unless they would take the
-- owner past `per_day` bytes that day or the space's files (originals and previews) past `per_space`. Returns null
-- when counted, else which limit stopped it: 'being' or 'space'. Every upload's and preview's bytes pass here, before
-- they are read. Reservations of one being, and of one space, take turns (transaction-wide advisory locks, always
-- the being's first), and each statement here reads what every earlier one committed, so uploads at once cannot all
-- pass one check; the caller writes what it reserved in the same transaction. A day's bytes count every upload
-- begun, kept or not. Days a week old are pruned.
CREATE OR REPLACE FUNCTION reserve_attachment_bytes(space text, owner text, declared bigint, on_day date, per_day bigint, per_space bigint)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1, hashtext(owner));
  PERFORM pg_advisory_xact_lock(2, hashtext(space));
  IF coalesce((SELECT u.bytes FROM attachment_usage u WHERE u.day = on_day AND u.being_id = owner), 0) + declared > per_day THEN
    RETURN 'being';
  END IF;
  IF coalesce((SELECT sum(a.size + coalesce(a.preview_size, 0)) FROM attachments a WHERE a.space_id = space), 0) + declared > per_space THEN
    RETURN 'space';
  END IF;
  INSERT INTO attachment_usage AS u (day, being_id, bytes) VALUES (on_day, owner, declared)
  ON CONFLICT ON CONSTRAINT attachment_usage_day_being_id_pk DO UPDATE SET bytes = u.bytes + excluded.bytes;
  DELETE FROM attachment_usage u WHERE u.day < on_day - 7;
  RETURN NULL;
END
$$;

-- Reserves an upload of `declared` bytes within the quotas (reserve_attachment_bytes): writes its row
-- ('uploading'). Returns null when reserved, else the limit that stopped it.
CREATE OR REPLACE FUNCTION reserve_attachment(new_id text, space text, owner text, file_name text, declared bigint, on_day date, per_day bigint, per_space bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  refusal text := reserve_attachment_bytes(space, owner, declared, on_day, per_day, per_space);
BEGIN
  IF refusal IS NULL THEN
    INSERT INTO attachments (id, space_id, owner_id, name, size) VALUES (new_id, space, owner, file_name, declared);
  END IF;
  RETURN refusal;
END
$$;

-- Reserves a preview of `declared` bytes, whose longest side is `side` pixels, for `caller`'s upload `upload`: only
-- while it is the caller's own (is_own_upload; else 'not_found'), for an image whose longest side is longer than
-- the preview's (else 'unfit': a preview of anything else is no smaller), within the quotas (reserve_attachment_bytes).
-- Until the preview is stored, the upload shows none (a second preview replaces the first). Returns null when reserved.
CREATE OR REPLACE FUNCTION reserve_preview(upload text, caller text, declared bigint, side integer, on_day date, per_day bigint, per_space bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  a attachments;
  refusal text;
BEGIN
  -- Locked: a message taking the upload meanwhile waits, or is waited for.
  SELECT * INTO a FROM attachments WHERE id = upload FOR UPDATE;
  IF NOT is_own_upload(a, caller) THEN RETURN 'not_found'; END IF;
  IF a.width IS NULL OR greatest(a.width, a.height) <= side THEN RETURN 'unfit'; END IF;
  refusal := reserve_attachment_bytes(a.space_id, a.owner_id, declared, on_day, per_day, per_space);
  IF refusal IS NULL THEN
    UPDATE attachments SET preview_size = declared, preview_type = NULL, preview_width = NULL, preview_height = NULL WHERE id = upload;
  END IF;
  RETURN refusal;
END
$$;

-- The trigger on attachments (drizzle/0025): a deleted row's R2 objects are recorded for deletion, whichever path
-- deleted it (a message's delete, a space's, a being's, the sweep of old uploads); src/worker/files/store.ts
-- deletes them from R2 and then these rows.
CREATE OR REPLACE FUNCTION attachments_to_garbage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO attachment_garbage (attachment_id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
