ALTER TABLE "changes" ADD COLUMN "tx" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "relay_by" text;--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "relay_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "relayed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "changes_tx_idx" ON "changes" USING btree ("tx");