ALTER TABLE "notifications" ADD COLUMN "noticed_at" timestamp (3) with time zone;--> statement-breakpoint
-- Notifications older than this migration are not news to any open page.
UPDATE "notifications" SET "noticed_at" = "created_at";--> statement-breakpoint
CREATE INDEX "notifications_unnoticed_idx" ON "notifications" USING btree ("space_id") WHERE "notifications"."noticed_at" IS NULL;