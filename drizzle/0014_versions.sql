ALTER TABLE "beings" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "intentions" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;