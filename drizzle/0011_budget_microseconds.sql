ALTER TABLE "livekit_budget" ALTER COLUMN "refilled_at" SET DATA TYPE timestamp (6) with time zone;--> statement-breakpoint
ALTER TABLE "livekit_budget" ALTER COLUMN "refilled_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "livekit_budget" ALTER COLUMN "blocked_until" SET DATA TYPE timestamp (6) with time zone;--> statement-breakpoint
-- The bucket granted more than its budget under contention (20 callers at once: 164 grants in a
-- minute against 120): the time was read before the row lock was taken, and stored in milliseconds.
CREATE OR REPLACE FUNCTION take_livekit_call(for_project text, for_space text, per_minute float8) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  budget livekit_budget;
  capacity float8 := per_minute / 10;
  rate float8 := per_minute * 0.9 / 60;
  t timestamptz;
  available float8;
  fair_share float8;
  last_call timestamptz;
BEGIN
  INSERT INTO livekit_budget (project, tokens) VALUES (for_project, 'Infinity') ON CONFLICT (project) DO NOTHING;
  SELECT * INTO budget FROM livekit_budget b WHERE b.project = for_project FOR UPDATE;
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
