-- One rule, in one place, for what a being write records in which space's log and what each log may
-- disclose. The change-log trigger and every statement that notifies the sync queue call
-- being_changes(), so the change rows and the queue notices cannot disagree.

-- A row as the readers of `space` may see it: a being whose location is a private space other than
-- `space` carries locationId null (a change in S never names another private space to S's readers).
-- Change rows go through it again when read, so a space that turns private after a row named it is
-- not named by that row afterwards.
CREATE FUNCTION change_data_in(data jsonb, kind text, space text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN kind = 'being' AND data ->> 'locationId' IS DISTINCT FROM space AND EXISTS (
      SELECT 1 FROM beings l WHERE l.id = data ->> 'locationId' AND l.type = 'space' AND l.properties -> 'private' = 'true'::jsonb)
    THEN jsonb_set(data, '{locationId}', 'null'::jsonb)
    ELSE data
  END
$$;
--> statement-breakpoint
-- A being rendered for the log, snapshot or listing of `space`.
CREATE FUNCTION being_json_in(b beings, space text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT change_data_in(being_json(b), 'being', space)
$$;
--> statement-breakpoint
-- Whether a being shows in the space it is in: everything does except a private space.
CREATE FUNCTION shows_in_location(b beings) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT b.id IS NOT NULL AND b.location_id IS NOT NULL
    AND NOT (b.type = 'space' AND coalesce(b.properties -> 'private' = 'true'::jsonb, false))
$$;
--> statement-breakpoint
-- The changes one write of a being records, one per space in id order (the trigger locks the spaces'
-- seq rows in that order, so two opposite moves cannot deadlock); `data` is null for a delete.
-- `after` is null on delete, `before` null on insert. A being is recorded
--   in itself, when it is a space;
--   in the space it is in, unless it is a private space;
--   in the space it showed in before, when it moved away (the row with its new location) or stopped
--   showing there: deleted, or turned private (a delete: it is gone from there for every reader).
CREATE FUNCTION being_changes(after beings, before beings)
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
--> statement-breakpoint
CREATE OR REPLACE FUNCTION beings_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry record;
  at timestamptz := now();
BEGIN
  IF TG_OP = 'UPDATE' THEN
    NEW.modified_at := now();
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
--> statement-breakpoint
-- Changes already recorded before this rule: a being row in another space's log that names a
-- private space as its location is scrubbed the same way.
UPDATE changes SET data = change_data_in(data, kind, space_id) WHERE kind = 'being' AND data IS NOT NULL;
