-- Microseconds: rounded to milliseconds, the bucket's refill time credited time twice under contention.
ALTER TABLE "livekit_budget" ALTER COLUMN "refilled_at" SET DATA TYPE timestamp (6) with time zone;--> statement-breakpoint
ALTER TABLE "livekit_budget" ALTER COLUMN "refilled_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "livekit_budget" ALTER COLUMN "blocked_until" SET DATA TYPE timestamp (6) with time zone;
