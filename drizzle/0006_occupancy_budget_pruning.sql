CREATE TABLE "livekit_budget" (
	"project" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"blocked_until" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "room_participants" (
	"space_id" text NOT NULL,
	"identity" text NOT NULL,
	"present" boolean NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "room_participants_space_id_identity_pk" PRIMARY KEY("space_id","identity")
);
--> statement-breakpoint
CREATE TABLE "sync_minutes" (
	"minute" timestamp (0) with time zone PRIMARY KEY NOT NULL,
	"counters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"pending" integer,
	"oldest_pending_seconds" double precision,
	"occupied_rooms" integer
);
--> statement-breakpoint
ALTER TABLE "space_sync" ADD COLUMN "occupied" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "space_sync" ADD COLUMN "skipped_from" bigint;--> statement-breakpoint
ALTER TABLE "space_sync" ADD COLUMN "call_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "space_sync" ADD COLUMN "pruned_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "changes_entity_idx" ON "changes" USING btree ("space_id","entity_id","seq");--> statement-breakpoint
CREATE INDEX "changes_at_idx" ON "changes" USING btree ("at");--> statement-breakpoint
CREATE INDEX "space_sync_occupied_idx" ON "space_sync" USING btree ("space_id") WHERE "space_sync"."occupied";