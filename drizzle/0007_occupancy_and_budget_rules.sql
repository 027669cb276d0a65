-- Room occupancy and the LiveKit API budget, kept in the database so that the rules below hold under
-- concurrency: both take the space's space_sync row lock.

-- Marks a space's room occupied or empty. When someone arrives in a room whose changes were confirmed
-- without a broadcast (it was empty), the tail of those changes is unconfirmed again, so the next
-- broadcast reaches the newcomer: a change committed between its snapshot and this moment is not lost
-- (a receiver that sees a gap instead fetches it). The rewind never reaches below what pruning removed. The consumer confirms an empty room only
-- `WHERE NOT occupied`, under the same row lock, so the two cannot cross.
CREATE FUNCTION set_room_occupied(space text, now_occupied boolean) RETURNS void LANGUAGE sql AS $$
  INSERT INTO space_sync AS s (space_id, occupied) VALUES (space, now_occupied)
  ON CONFLICT (space_id) DO UPDATE SET
    occupied = excluded.occupied,
    broadcast_seq = CASE WHEN excluded.occupied AND s.skipped_from IS NOT NULL
      THEN least(s.broadcast_seq, greatest(s.skipped_from - 1, s.last_seq - 50, s.pruned_seq, 0)) ELSE s.broadcast_seq END,
    skipped_from = CASE WHEN excluded.occupied THEN NULL ELSE s.skipped_from END
  WHERE s.occupied IS DISTINCT FROM excluded.occupied
$$;
--> statement-breakpoint
CREATE FUNCTION room_participants_occupancy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  space text := coalesce(NEW.space_id, OLD.space_id);
BEGIN
  PERFORM set_room_occupied(space, EXISTS (SELECT 1 FROM room_participants WHERE space_id = space AND present));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER room_participants_occupancy AFTER INSERT OR UPDATE OR DELETE ON room_participants
FOR EACH ROW EXECUTE FUNCTION room_participants_occupancy();
--> statement-breakpoint
-- Takes one LiveKit API call for `for_space` from the budget of `for_project` (its API key): `per_minute` calls,
-- 0 for unlimited. Returns 0 when granted, else the seconds to wait. The bucket holds a tenth of the
-- budget and refills at nine tenths of it per minute, so no 60-second window can ever hold more than
-- `per_minute` calls. While the bucket is more than half full nobody waits (latency as without a
-- budget). Below that the budget is under pressure and each room takes at most one call per fair
-- share, occupied rooms ÷ refill rate, so a hot space cannot drain it and every room gets its turn.
-- A 429's Retry-After (blocked_until) holds every call, whatever the budget.
CREATE FUNCTION take_livekit_call(for_project text, for_space text, per_minute float8) RETURNS float8 LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
-- LiveKit answered 429: no call at all until its Retry-After has passed, and the bucket starts empty.
CREATE FUNCTION block_livekit_calls(for_project text, seconds float8) RETURNS void LANGUAGE sql AS $$
  INSERT INTO livekit_budget AS b (project, tokens, refilled_at, blocked_until)
  VALUES (for_project, 0, clock_timestamp() + make_interval(secs => seconds), clock_timestamp() + make_interval(secs => seconds))
  ON CONFLICT (project) DO UPDATE SET tokens = 0, refilled_at = excluded.refilled_at,
    blocked_until = greatest(b.blocked_until, excluded.blocked_until)
$$;
