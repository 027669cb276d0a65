ALTER TABLE "attachments" ADD COLUMN "preview_type" text;--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "preview_size" bigint;