-- The change log (outbox) and the rules every query shares, kept in the database so that no
-- write path (the API, a cascade, an operator's SQL) can commit a row without its change.

-- Rows in their public JSON shape: the API's responses and the change log render them alike.
CREATE FUNCTION being_json(b beings) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', b.id, 'name', b.name, 'type', b.type, 'ownerId', b.owner_id, 'locationId', b.location_id,
    'properties', b.properties, 'content', b.content, 'createdAt', b.created_at, 'modifiedAt', b.modified_at)
$$;
--> statement-breakpoint
CREATE FUNCTION intention_json(i intentions) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', i.id, 'name', i.name, 'type', i.type, 'state', i.state, 'ownerId', i.owner_id,
    'locationId', i.location_id, 'content', i.content, 'createdAt', i.created_at, 'modifiedAt', i.modified_at)
$$;
--> statement-breakpoint
-- A space is readable by anyone unless properties.private is true; then by its owner, a superuser
-- and the ids in properties.members.
CREATE FUNCTION may_read_space(space beings, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT space.type = 'space' AND coalesce(
    coalesce(space.properties -> 'private', 'false'::jsonb) <> 'true'::jsonb
    OR caller_is_superuser
    OR space.owner_id = caller_id
    OR jsonb_typeof(space.properties -> 'members') = 'array'
       AND space.properties -> 'members' @> jsonb_build_array(caller_id),
    false)
$$;
--> statement-breakpoint
-- A being is visible to whoever may read where it is (a space also by its own rule), and always to
-- itself, its owner and superusers.
CREATE FUNCTION may_see_being(b beings, caller_id text, caller_is_superuser boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(b.id = caller_id OR b.owner_id = caller_id OR caller_is_superuser, false)
    OR ((b.type <> 'space' OR may_read_space(b, caller_id, caller_is_superuser))
        AND (b.location_id IS NULL OR coalesce(
          (SELECT may_read_space(l, caller_id, caller_is_superuser) FROM beings l WHERE l.id = b.location_id),
          false)))
$$;
--> statement-breakpoint
-- Appends one change to a space's log. The upsert on space_sync takes a row lock that is held until
-- commit, so concurrent writers to one space commit in seq order and the log never shows a gap.
CREATE FUNCTION record_change(space text, kind text, op text, entity text, data jsonb, at timestamptz)
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
--> statement-breakpoint
-- BEFORE triggers, so the row's own seq can be set; a statement that later fails (a unique
-- violation, a foreign key) rolls its changes back with it.
CREATE FUNCTION intentions_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
  END IF;
  NEW.seq := record_change(NEW.location_id, 'intention', 'upsert', NEW.id, intention_json(NEW), NEW.modified_at);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER intentions_record_change BEFORE INSERT OR UPDATE OR DELETE ON intentions
FOR EACH ROW EXECUTE FUNCTION intentions_record_change();
--> statement-breakpoint
-- A being touches the space it is in, the one it left, and itself when it is a space. The spaces
-- are locked in id order so that two opposite moves cannot deadlock.
CREATE FUNCTION beings_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row beings;
  op text;
  data jsonb;
  at timestamptz;
  space text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    row := OLD; op := 'delete'; data := NULL; at := now();
  ELSE
    IF TG_OP = 'UPDATE' THEN
      NEW.modified_at := now();
    END IF;
    row := NEW; op := 'upsert'; data := being_json(NEW); at := NEW.modified_at;
  END IF;
  FOR space IN
    SELECT DISTINCT s FROM unnest(ARRAY[
      row.location_id,
      CASE WHEN TG_OP = 'UPDATE' THEN OLD.location_id END,
      CASE WHEN row.type = 'space' THEN row.id END
    ]) AS s WHERE s IS NOT NULL ORDER BY s
  LOOP
    PERFORM record_change(space, 'being', op, row.id, data, at);
  END LOOP;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER beings_record_change BEFORE INSERT OR UPDATE OR DELETE ON beings
FOR EACH ROW EXECUTE FUNCTION beings_record_change();
--> statement-breakpoint
-- The public lobby every fresh database holds.
INSERT INTO beings (id, name, type) VALUES ('@intraliminal', 'Intraliminal', 'space') ON CONFLICT (id) DO NOTHING;
