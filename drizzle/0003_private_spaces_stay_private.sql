-- A private space placed inside another space must not announce itself there: its changes are
-- recorded only in its own log (which only its readers can fetch or receive), not in its location's.
CREATE OR REPLACE FUNCTION beings_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row beings;
  op text;
  data jsonb;
  at timestamptz;
  space text;
  hidden boolean;
BEGIN
  IF TG_OP = 'DELETE' THEN
    row := OLD; op := 'delete'; data := NULL; at := now();
  ELSE
    IF TG_OP = 'UPDATE' THEN
      NEW.modified_at := now();
    END IF;
    row := NEW; op := 'upsert'; data := being_json(NEW); at := NEW.modified_at;
  END IF;
  hidden := row.type = 'space' AND row.properties -> 'private' = 'true'::jsonb;
  FOR space IN
    SELECT DISTINCT s FROM unnest(ARRAY[
      CASE WHEN NOT hidden THEN row.location_id END,
      CASE WHEN TG_OP = 'UPDATE' AND NOT hidden THEN OLD.location_id END,
      CASE WHEN row.type = 'space' THEN row.id END
    ]) AS s WHERE s IS NOT NULL ORDER BY s
  LOOP
    PERFORM record_change(space, 'being', op, row.id, data, at);
  END LOOP;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;
