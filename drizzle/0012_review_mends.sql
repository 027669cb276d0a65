-- A change row is rendered for its readers when it is read, not only when it was written: a space
-- that turns private after a row named it as a location must not be named by that row afterwards.
CREATE FUNCTION change_data_in(data jsonb, kind text, space text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN kind = 'being' AND data ->> 'locationId' IS DISTINCT FROM space AND EXISTS (
      SELECT 1 FROM beings l WHERE l.id = data ->> 'locationId' AND l.type = 'space' AND l.properties -> 'private' = 'true'::jsonb)
    THEN jsonb_set(data, '{locationId}', 'null'::jsonb)
    ELSE data
  END
$$;
--> statement-breakpoint
-- As in 0007, but a rewind never reaches below what pruning removed (those changes are gone; a
-- newcomer's snapshot holds them).
CREATE OR REPLACE FUNCTION set_room_occupied(space text, now_occupied boolean) RETURNS void LANGUAGE sql AS $$
  INSERT INTO space_sync AS s (space_id, occupied) VALUES (space, now_occupied)
  ON CONFLICT (space_id) DO UPDATE SET
    occupied = excluded.occupied,
    broadcast_seq = CASE WHEN excluded.occupied AND s.skipped_from IS NOT NULL
      THEN least(s.broadcast_seq, greatest(s.skipped_from - 1, s.last_seq - 50, s.pruned_seq, 0)) ELSE s.broadcast_seq END,
    skipped_from = CASE WHEN excluded.occupied THEN NULL ELSE s.skipped_from END
  WHERE s.occupied IS DISTINCT FROM excluded.occupied
$$;
